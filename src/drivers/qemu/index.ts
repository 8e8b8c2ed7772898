export { createQemuDriver, type QemuDriver } from './qemu-driver.js';
export type { Accel, GuestImage, QemuDriverSettings, QemuNetworkMode } from './settings.js';
