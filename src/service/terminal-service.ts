/**
 * The use cases of terminals: open a command on a terminal in a VM, list and inspect a VM's
 * sessions, resize, close, attach. Authorised here (the caller's project, the VM running) and
 * handed to the owning worker, which holds the sessions; each open, attach and close leaves an
 * audit line.
 */
import type { TerminalSize } from '../core/driver.js';
import type { Access } from '../core/principal.js';
import {
  LOGIN_SHELL_ARGV,
  type TerminalAttachment,
  type TerminalInfo,
  type TerminalSpec,
} from '../core/terminal.js';
import type { ServiceDeps } from './service-context.js';
import type { DataPlaneRouter } from './vm-plane-access.js';
import { planeTarget, VmPlaneAccess } from './vm-plane-access.js';

export type OpenTerminalRequest = Omit<TerminalSpec, 'argv'> & { argv?: string[] };

export class TerminalService {
  private readonly vms: VmPlaneAccess;

  constructor(deps: ServiceDeps, planeFor: DataPlaneRouter) {
    this.vms = new VmPlaneAccess(deps, planeFor);
  }

  async open(access: Access, vmIdOrName: string, request: OpenTerminalRequest): Promise<TerminalInfo> {
    const { vm, plane } = await this.vms.open(access, vmIdOrName, 'terminals are opened');
    const argv = request.argv && request.argv.length > 0 ? request.argv : [...LOGIN_SHELL_ARGV];
    const info = await plane.openTerminal(planeTarget(vm), { ...request, argv });
    this.vms.audit(access.project, vm, 'terminal-open', { terminal: info.id, argv });
    return info;
  }

  async list(access: Access, vmIdOrName: string): Promise<TerminalInfo[]> {
    const { vm, plane } = await this.vms.open(access, vmIdOrName, 'terminals are listed');
    return plane.terminals(planeTarget(vm));
  }

  async get(access: Access, vmIdOrName: string, terminalId: string): Promise<TerminalInfo> {
    const { vm, plane } = await this.vms.open(access, vmIdOrName, 'terminals are read');
    return plane.terminal(planeTarget(vm), terminalId);
  }

  async resize(access: Access, vmIdOrName: string, terminalId: string, size: TerminalSize): Promise<void> {
    const { vm, plane } = await this.vms.open(access, vmIdOrName, 'terminals are resized');
    await plane.resizeTerminal(planeTarget(vm), terminalId, size);
  }

  async close(access: Access, vmIdOrName: string, terminalId: string): Promise<void> {
    const { vm, plane } = await this.vms.open(access, vmIdOrName, 'terminals are closed');
    await plane.closeTerminal(planeTarget(vm), terminalId);
    this.vms.audit(access.project, vm, 'terminal-close', { terminal: terminalId });
  }

  async attach(access: Access, vmIdOrName: string, terminalId: string): Promise<TerminalAttachment> {
    const { vm, plane } = await this.vms.open(access, vmIdOrName, 'terminals are attached to');
    const attachment = await plane.attachTerminal(planeTarget(vm), terminalId);
    this.vms.audit(access.project, vm, 'terminal-attach', { terminal: terminalId });
    return attachment;
  }
}
