import type { Command } from 'commander';
import { DEFAULT_GUEST_PACKAGES, DEFAULT_VM_DISK_MIB } from '../../core/image-defaults.js';
import type { BuildFlags, ImageFlags, KernelFlags } from '../server-commands/image.js';

/** The image builders load only once one of these commands runs. */
const actions = () => import('../server-commands/image.js');

function withDataDir(command: Command): Command {
  return command
    .option('-c, --config <file>', 'YAML config file (env AETHER_CONFIG); flags beat it, it beats env')
    .option(
      '-d, --data-dir <dir>',
      'state directory; images go to DIR/images (env AETHER_DATA_DIR, default ./.aether)',
    );
}

/** `aether image build|ls`: guest root filesystems, built and cached on this host (no gateway). */
export function registerImageCommands(program: Command): void {
  const image = program.command('image').description('build and list guest images (on this host, as root)');

  withDataDir(
    image
      .command('build')
      .description(
        'build a Debian guest root filesystem with debootstrap (with --vm also the microVM boot files), or reuse the cached ones',
      ),
  )
    .option(
      '--packages <list>',
      `comma-separated Debian packages (default ${DEFAULT_GUEST_PACKAGES.join(',')})`,
    )
    .option('--suite <name>', 'Debian suite (default bookworm)')
    .option('--mirror <url>', "Debian mirror (default: the host apt's, else http://deb.debian.org/debian)")
    .option(
      '--tools <list>',
      'bake tools, comma-separated (go,python,rust): Debian-sourced ones join the packages, npm-sourced ones are installed with the host npm into /opt/aether/tools',
    )
    .option('--tool-versions <list>', 'versions of baked tools, comma-separated NAME=VERSION (node=20)')
    .option('--docker', 'import it into the Docker engine (DOCKER_HOST) as aetherium/guest:<id> and :latest')
    .option(
      '--vm',
      "also make the microVM boot files (the host apt's Debian kernel, an initramfs, an ext4 root disk) for the qemu driver",
    )
    .option(
      '--disk-size-mib <n>',
      `size of the microVM root disk, a sparse file (default ${DEFAULT_VM_DISK_MIB}; with --vm)`,
    )
    .option('--json', 'print JSON')
    .action(async (flags: BuildFlags) => (await actions()).buildCommand(flags));

  withDataDir(
    image
      .command('kernel')
      .description(
        "build the firecracker guest kernel (vmlinux) from Debian's linux-source with a minimal microVM config, or reuse the cached one",
      ),
  )
    .option('-j, --jobs <n>', 'parallel compile jobs (default: the number of CPUs)')
    .option('--json', 'print JSON')
    .action(async (flags: KernelFlags) => (await actions()).kernelCommand(flags));

  withDataDir(image.command('ls').description('list the cached guest images and their microVM boot files'))
    .option('--docker', 'show which are imported into the Docker engine (DOCKER_HOST)')
    .option('--json', 'print JSON')
    .action(async (flags: ImageFlags) => (await actions()).listCommand(flags));
}
