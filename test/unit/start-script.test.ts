import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function runStart(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/start.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start with a busy port', () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('prints one line and exits 1', async () => {
    const result = await runStart(['--port', String(port)]);
    expect(result.code).toBe(1);
    // On a fresh clone Vite's dependency scan, cut short by the exit, may add
    // its own warning, so the check looks for catlab's line and no port stack trace.
    expect(result.stderr.split('\n')).toContain(
      `npm start: port ${port} on 127.0.0.1 is already in use; choose another with --port N, or leave out --port to take the next free one`,
    );
    expect(result.stderr).not.toMatch(/Port \d+ is already in use\s+at /);
    expect(result.stdout).toBe('');
  }, 60_000);
});
