// Which virtual service the doctor is asked about: the one at --vip[:--vport], or the only
// one there is. Several and no --vip is an error that lists them, so the user can choose.
import type { VirtualService } from '../model/virtual-service.js';

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

export function describeService(s: VirtualService): string {
  const where = s.protocol === 'FWM' ? `FWM ${s.fwmark ?? '?'}` : `${s.protocol} ${s.address ?? '?'}:${s.port ?? '*'}`;
  return `${where} (${s.destinations.length} realserver${s.destinations.length === 1 ? '' : 's'}, from ${s.source})`;
}

export interface ServiceChoice {
  vip?: string;
  vport?: number;
}

export function pickService(services: VirtualService[], choice: ServiceChoice, where: string): VirtualService {
  const list = services.map((s) => `  ${describeService(s)}`).join('\n');
  if (services.length === 0) throw new DiscoveryError(`no virtual service found in ${where}`);
  const matching = services.filter(
    (s) => (choice.vip === undefined || s.address === choice.vip) && (choice.vport === undefined || s.port === choice.vport),
  );
  if (matching.length === 1) return matching[0];
  if (matching.length === 0) {
    const wanted = `${choice.vip ?? '*'}${choice.vport !== undefined ? `:${choice.vport}` : ''}`;
    throw new DiscoveryError(`no virtual service at ${wanted} in ${where}; found:\n${list}`);
  }
  throw new DiscoveryError(`${matching.length} virtual services in ${where}; choose one with --vip (and --vport):\n${matching.map((s) => `  ${describeService(s)}`).join('\n')}`);
}
