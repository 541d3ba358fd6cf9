// Run by ssh.lab.test.ts as a separate node process (transpiled sources in argv[2]): start
// captures over ssh, say ARMED, then wait to be killed (-9) or interrupted (SIGINT).
const [root, spec] = process.argv.slice(2);
const { SshTransport } = await import(`${root}/src/transport/ssh.js`);
const { startCapture } = await import(`${root}/src/probes/capture.js`);
const { hosts, sshPath, captures } = JSON.parse(spec);
const transport = new SshTransport({ hosts, sshPath });
const stop = new AbortController();
process.on('SIGINT', async () => {
  stop.abort();
  await transport.close();
  process.stdout.write('CLOSED\n');
  process.exit(130);
});
const running = captures.map((c) => startCapture(transport, c, stop.signal));
await Promise.all(running.map((c) => c.armed));
process.stdout.write(`ARMED ${await transport.socketDirectory()}\n`);
setInterval(() => undefined, 1000);
