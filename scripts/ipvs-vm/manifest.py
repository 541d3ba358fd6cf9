#!/usr/bin/env python3
"""Rebuild MANIFEST.md of fixtures/captures/ipvs-vm from each job's commands.tsv and notes.tsv."""
import glob
import os
import sys

dest = sys.argv[1]
HEAD = """# Real IPVS captures from a qemu guest

Every file here is raw output captured inside a qemu (TCG) guest running Debian bookworm with
Debian's cloud kernel and its real IPVS modules, by `scripts/ipvs-vm/capture.sh <job>` (see
`scripts/ipvs-vm/README.md`). Nothing is edited. Inside the guest, network namespaces form a
client (lv-cli), a director (lv-dir: ext0 client side, int0 realserver side), a switch (lv-sw),
two realservers (lv-rs1 172.16.1.11, lv-rs2 172.16.1.12) and another router (lv-gw); the
addresses and the layout are in `scripts/ipvs-vm/topo.sh`. The guest has no network device.

For each capture: `NAME.out` is the command's stdout, `NAME.err` its stderr (only when not
empty), `.pcap` files are tcpdump's own. `exit` is the command's exit code, `in` the namespace
it ran in, `s` the seconds it took in the guest
(`-` for tcpdump, which ran in the background around the traffic).
`<job>--commands.tsv` holds the same facts in machine form, `<job>--setup.txt` every setup
command with its exit code, `<job>--boot.txt` the guest console's timing lines and kernel IPVS messages.
"""

out = [HEAD]
for tsv in sorted(glob.glob(os.path.join(dest, "*--commands.tsv"))):
    job = os.path.basename(tsv).split("--")[0]
    notes = {}
    npath = os.path.join(dest, f"{job}--notes.tsv")
    if os.path.exists(npath):
        for line in open(npath, encoding="utf-8"):
            if "\t" in line:
                case, text = line.rstrip("\n").split("\t", 1)
                notes[case] = text
    out.append(f"\n## job `{job}` (`scripts/ipvs-vm/job-{job}.sh`)")
    seen_case = None
    for line in open(tsv, encoding="utf-8"):
        name, rc, ns, secs, cmd = line.rstrip("\n").split("\t", 4)
        case = name.split("--")[0]
        if case != seen_case:
            seen_case = case
            out.append(f"\n### case `{case}`\n")
            if case in notes:
                out.append(f"Setup: {notes[case]}\n")
        # A tcpdump run writing a pcap shares its name with the text run beside it.
        cands = (name + ".pcap", name + "-pcap.err") if " -w " in cmd else (name + ".out", name + ".err")
        files = [f for f in cands if os.path.exists(os.path.join(dest, f))]
        shown = " + ".join(f"`{f}`" for f in files) or f"`{name}` (no file)"
        where = "the guest's initial namespace" if ns == "-" else f"lv-{ns}"
        out.append(f"- {shown}: exit {rc}, in {where}, {secs} s: `{cmd}`")
observed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "observed.md")
if os.path.exists(observed):
    out.append("\n" + open(observed, encoding="utf-8").read().rstrip("\n"))
open(os.path.join(dest, "MANIFEST.md"), "w", encoding="utf-8").write("\n".join(out) + "\n")
