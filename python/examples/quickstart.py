from aetherium import Sandbox

with Sandbox.create() as sb:  # a VM of its own, deleted when the block ends
    sb.files.write("hello.txt", "hello from the VM\n")
    print(sb.commands.run("cat hello.txt && uname -s").stdout)
