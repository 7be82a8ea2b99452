import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './paths';
import type { TestBed } from './testbed';

/** A running loopback sshd whose sessions reach the test bed's engine with its docker CLI. */
export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** The private key (OpenSSH format) authorized for `user`. */
  privateKey: string;
  /** Stops sshd and removes its folder. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts Debian's sshd (scripts/sshd.sh) on a free 127.0.0.1 port with a host key and a client key
 * generated for the test. A session's PATH finds the test bed's docker CLI first and its DOCKER_HOST
 * is the bed's engine, so `ssh://user@127.0.0.1:port` reaches that engine as a remote host would be
 * reached (docker runs `docker system dial-stdio` there).
 */
export async function startTestSshd(bed: TestBed): Promise<TestSshd> {
  const sshd = execFileSync(join(ROOT, 'scripts', 'sshd.sh'), ['install'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  const dir = await mkdtemp(join(tmpdir(), 'outerloop-sshd-'));
  for (const key of ['host_key', 'client_key'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'outerloop-test', '-f', join(dir, key)]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')), { mode: 0o600 });
  const port = await freePort();
  const cliDir = (bed.env['PATH'] ?? '').split(':')[0];
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `SetEnv PATH=${cliDir}:/usr/local/bin:/usr/bin:/bin DOCKER_HOST=${bed.dockerHost}`,
      '',
    ].join('\n'),
  );
  const libs = join(dirname(dirname(sshd)), 'lib', 'x86_64-linux-gnu');
  const child: ChildProcess = spawn(sshd, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    env: { PATH: '/usr/sbin:/usr/bin:/bin', LD_LIBRARY_PATH: libs },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s: ${log}`)), 10000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with code ${code}: ${log}`));
    });
  });
  child.stderr!.resume();
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    privateKey: await readFile(join(dir, 'client_key'), 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
