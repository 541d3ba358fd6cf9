// The inventory loader: each error names the right line and field, and a value the loader
// accepts is one every later stage accepts too.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, InventoryFileError, INVENTORY_MAX_BYTES, parseInventory, readInventoryFile } from '../../src/discover/inventory.js';
import { interfaceName } from '../../src/probes/validate.js';

const SERVICE = 'service: { protocol: TCP, vip: 10.0.0.10, vport: 80 }';
const DIRECTOR = 'director: { name: director, access: local, ext: eth0, int: eth1, dip: 10.1.1.1 }';

function errorOf(text: string): InventoryError {
  try {
    parseInventory(text, 'inv.yaml');
  } catch (err) {
    if (err instanceof InventoryError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('inventory: interface names', () => {
  it.each(['--version', '..', '.', '-eth0', 'a'.repeat(16), 'eth 0'])("refuses director.ext '%s', as the probes would", (ext) => {
    const e = errorOf(`${SERVICE}\ndirector: { name: director, access: local, ext: "${ext}" }\n`);
    expect(e.field).toBe('director.ext');
    expect(e.line).toBe(2);
    expect(() => interfaceName(ext)).toThrow();
  });
  it('accepts what the probes accept (vlan, alias, bond)', () => {
    for (const ext of ['eth0', 'eth0.10', 'bond0:1', 'enp0s31f6', 'lvs-ext']) {
      expect(parseInventory(`${SERVICE}\ndirector: { name: director, access: local, ext: ${ext} }\n`).topology.director.ext).toBe(ext);
      expect(interfaceName(ext)).toBe(ext);
    }
  });
});

describe('inventory: numbers are strict', () => {
  it.each(['"0x50"', '"8e1"', '0x50', '0o120', '80.0', '"80 "', '"+80"', '0', '65536'])('refuses rport %s', (rport) => {
    const e = errorOf(`${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11, rport: ${rport} }\n`);
    expect(e.field).toBe('realservers[0].rport');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/is not a port \(a decimal number from 1 to 65535\)/);
  });
  it('accepts a decimal port written as a number or a quoted string', () => {
    const t = parseInventory(`${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11, rport: 8080 }\n  - { name: rs2, access: none, rip: 10.1.1.12, rport: "8081" }\n`).topology;
    expect(t.realservers.map((r) => r.rport)).toEqual([8080, 8081]);
  });
  it('bounds fwmark to 32 bits', () => {
    expect(errorOf(`service: { vip: 10.0.0.10, vport: 80, fwmark: 4294967296 }\n${DIRECTOR}\n`).field).toBe('service.fwmark');
    expect(errorOf(`service: { vip: 10.0.0.10, vport: 80, fwmark: 0x10 }\n${DIRECTOR}\n`).field).toBe('service.fwmark');
    expect(parseInventory(`service: { vip: 10.0.0.10, vport: 80, fwmark: 4294967295 }\n${DIRECTOR}\n`).topology.service.fwmark).toBe(4294967295);
  });
});

describe('inventory: os, aliases, sizes', () => {
  it('takes os from a fixed list', () => {
    const e = errorOf(`${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11, os: "plan 9" }\n`);
    expect(e.field).toBe('realservers[0].os');
    expect(e.message).toMatch(/one of linux, windows/);
    expect(parseInventory(`${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11, os: Windows }\n`).topology.realservers[0].os).toBe('windows');
  });
  it('refuses an alias where it is, not with a misleading "is required"', () => {
    const e = errorOf(`${SERVICE}\ndirector: &d { name: director, access: local }\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11 }\nclient: *d\n`);
    expect(e.line).toBe(5);
    expect(e.field).toBe('client');
    expect(e.message).toMatch(/YAML aliases \(\*d\) are not supported/);
  });
  it('refuses a merge key where it is', () => {
    const e = errorOf(`defaults: &ssh { user: admin }\n${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, rip: 10.1.1.11, ssh: { <<: *ssh, host: rs1 } }\n`);
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/not supported/);
    expect(e.message).not.toMatch(/is required/);
  });
  it('echoes at most a short, escaped piece of a bad value', () => {
    const huge = 'x'.repeat(100_000);
    const e = errorOf(`${SERVICE}\ndirector: { name: director, access: local, dip: "${huge}\\e]0;pwned\\a" }\n`);
    expect(e.field).toBe('director.dip');
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).toMatch(/100010 characters/);
    const ctl = errorOf(`${SERVICE}\ndirector: { name: director, access: local, dip: "\\e]0;pwned\\a" }\n`);
    expect(ctl.message).toContain('\\x1b]0;pwned\\x07');
    expect(ctl.message).not.toContain('\u001b');
  });
  it('caps the file size before reading it whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-inv-'));
    try {
      const file = join(dir, 'big.yaml');
      writeFileSync(file, `${SERVICE}\n# ${'y'.repeat(INVENTORY_MAX_BYTES)}\n`);
      expect(() => readInventoryFile(file)).toThrow(InventoryError);
      expect(() => readInventoryFile(file)).toThrow(/at most 1048576 bytes/);
      expect(() => parseInventory(`# ${'y'.repeat(INVENTORY_MAX_BYTES)}`)).toThrow(/at most/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  it('a missing file is a clear message, not a raw ENOENT', () => {
    expect(() => readInventoryFile('/nonexistent/lvs.yaml')).toThrow(InventoryFileError);
    expect(() => readInventoryFile('/nonexistent/lvs.yaml')).toThrow(/^cannot read the inventory \/nonexistent\/lvs.yaml: no such file/);
  });
});

describe('inventory: errors at the right line and field', () => {
  it('an unclosed flow mapping on line 2 is reported on line 2', () => {
    const e = errorOf(`${SERVICE}\ndirector: { name: director, access: local\nrealservers: []\n`);
    expect(e.line).toBe(2);
  });
  it('a duplicate name is reported at the second name, naming the field and the first', () => {
    const e = errorOf(`${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11 }\n  - { name: rs1, access: none, rip: 10.1.1.12 }\n`);
    expect(e.line).toBe(5);
    expect(e.field).toBe('realservers[1].name');
    expect(e.message).toMatch(/already used by realservers\[0\] \(line 4\)/);
  });
  it('an unknown key is an error with a did-you-mean', () => {
    const e = errorOf(`${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11, rprot: 80 }\n`);
    expect(e.line).toBe(4);
    expect(e.field).toBe('realservers[0].rprot');
    expect(e.message).toMatch(/unknown key; did you mean 'rport'\?/);
    const top = errorOf(`${SERVICE}\n${DIRECTOR}\nrealserver: []\n`);
    expect(top.field).toBe('realserver');
    expect(top.message).toMatch(/did you mean 'realservers'/);
    const ssh = errorOf(`${SERVICE}\ndirector: { name: director, ssh: { host: lvs1, identity: ~/.ssh/id } }\n`);
    expect(ssh.field).toBe('director.ssh.identity');
    expect(ssh.message).toMatch(/did you mean 'identityFile'/);
    expect(errorOf(`${SERVICE}\n${DIRECTOR}\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.11, weigth: 1 }\n`).message).toMatch(/unknown key \(realservers\[0\] takes name, access, ssh, os, rip, rport\)/);
  });
});

describe('inventory: addresses', () => {
  it('stores one spelling per address (v4-mapped as IPv4, IPv6 compressed)', () => {
    const t = parseInventory(`service: { vip: "2001:DB8:0:0::10", vport: 80 }\ndirector: { name: director, access: local, dip: "::ffff:10.164.2.1" }\nrealservers:\n  - { name: rs1, access: none, rip: "::ffff:10.164.2.11" }\n`).topology;
    expect(t.director.dip).toBe('10.164.2.1');
    expect(t.realservers[0].rip).toBe('10.164.2.11');
    expect(t.service.vip).toBe('2001:db8::10');
  });
});
