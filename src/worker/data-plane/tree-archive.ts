/**
 * Directory trees as tar streams over a VM's files, as `aether cp` carries them: `packTree` reads
 * a tree out of a guest into an archive, `unpackTree` writes an archive into a guest. Both go
 * through `GuestFiles`, so every path is resolved by the guest agent inside the VM.
 *
 * The archives are POSIX ustar, with pax records where ustar runs out (names past 100 bytes or
 * not ASCII, symlink targets past 100 bytes, files of 8 GiB and more), which GNU tar, bsdtar and
 * Docker read.
 */
export { type PackTreeOptions, packTree } from './tree-pack.js';
export { type UnpackTreeOptions, type UnpackTreeResult, unpackTree } from './tree-unpack.js';
