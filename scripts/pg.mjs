// Throwaway PostgreSQL clusters for tests and local development.
//
// startPg({ log }) finds the server binaries (pg_ctl + initdb), initialises a fresh cluster in a temp
// dir with durability switched off (it is thrown away anyway), starts it on a free loopback port and
// returns { url, stop, stopSync, dir, port }, or null when no server binaries are installed.
// initdb refuses to run as root, so as root the cluster belongs to the OS user `postgres`.
//
// CLI: `node scripts/pg.mjs` starts one, prints DATABASE_URL=… and keeps it up until Ctrl-C.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PG_USER = 'postgres';

/** Directory holding both pg_ctl and initdb, or null. */
export function findPgBinDir() {
  const candidates = [];
  if (process.env.FRONTLINE_PG_BIN) candidates.push(process.env.FRONTLINE_PG_BIN);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);
  // Debian/Ubuntu keep server binaries out of PATH, one folder per major version: newest first.
  const debRoot = '/usr/lib/postgresql';
  try {
    const versions = fs
      .readdirSync(debRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(debRoot, v, 'bin'));
  } catch {
    /* not a Debian-style install */
  }
  candidates.push('/usr/local/bin', '/usr/local/pgsql/bin');
  for (const dir of candidates) {
    if (isExecutable(path.join(dir, 'pg_ctl')) && isExecutable(path.join(dir, 'initdb'))) {
      // Follow symlinks (/usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl) to the real folder.
      const real = path.dirname(fs.realpathSync(path.join(dir, 'pg_ctl')));
      return isExecutable(path.join(real, 'initdb')) ? real : dir;
    }
  }
  return null;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Make sure the OS user `postgres` exists (as root only); returns { uid, gid }. */
function ensurePgOsUser(log) {
  let r = spawnSync('id', ['-u', PG_USER], { encoding: 'utf8' });
  if (r.status !== 0) {
    log(`creating OS user ${PG_USER} (initdb refuses to run as root)`);
    const add = spawnSync('useradd', ['-r', '-M', '-s', '/bin/sh', PG_USER], { encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`useradd ${PG_USER} failed: ${add.stderr || add.error}`);
    r = spawnSync('id', ['-u', PG_USER], { encoding: 'utf8' });
  }
  const g = spawnSync('id', ['-g', PG_USER], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** argv that runs `cmd args` as the postgres user when we are root, else as ourselves. */
function asPgUser(cmd, args) {
  if (!isRoot()) return [cmd, args];
  if (isExecutable('/usr/sbin/runuser') || isExecutable('/sbin/runuser')) {
    return ['runuser', ['-u', PG_USER, '--', cmd, ...args]];
  }
  const quoted = [cmd, ...args].map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
  return ['su', [PG_USER, '-s', '/bin/sh', '-c', quoted]];
}

function run(cmd, args, { log, timeoutMs = 120_000 } = {}) {
  const [c, a] = asPgUser(cmd, args);
  return new Promise((resolve, reject) => {
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else {
        const err = new Error(`${path.basename(cmd)} exited with ${code}:\n${out}`);
        err.output = out;
        reject(err);
      }
    });
  });
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start a throwaway PostgreSQL cluster.
 * @param {{ log?: (msg: string) => void }} [opts]
 * @returns {Promise<null | { url: string, port: number, dir: string, stop: () => Promise<void>, stopSync: () => void }>}
 */
export async function startPg({ log = (m) => console.error(`[pg] ${m}`) } = {}) {
  const bin = findPgBinDir();
  if (!bin) return null;
  const pgCtl = path.join(bin, 'pg_ctl');
  const initdb = path.join(bin, 'initdb');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  let started = false;
  let removed = false;

  const cleanupDir = () => {
    if (removed) return;
    removed = true;
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    if (isRoot()) {
      const { uid, gid } = ensurePgOsUser(log);
      fs.chownSync(dir, uid, gid);
    }
    fs.chmodSync(dir, 0o700);

    const t0 = Date.now();
    await run(initdb, [
      '-D', dataDir,
      '-A', 'trust',
      '-U', PG_USER,
      '--encoding', 'UTF8',
      '--locale', 'C',
      '--no-sync', // the cluster is thrown away: no need to fsync its files
    ], { log });

    // The port comes from binding port 0; another process could take it before postgres does, so retry.
    let port;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const opts = [
        `-p ${port}`,
        '-h 127.0.0.1',
        `-k ${dir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        await run(pgCtl, ['-D', dataDir, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start'], { log });
        started = true;
        break;
      } catch (err) {
        const serverLog = safeRead(logFile);
        if (attempt < 3 && /could not bind|address already in use/i.test(serverLog + err.message)) {
          log(`port ${port} was taken, retrying`);
          continue;
        }
        err.message += `\n--- server log ---\n${serverLog}`;
        throw err;
      }
    }

    const url = `postgres://${PG_USER}@127.0.0.1:${port}/postgres`;
    log(`PostgreSQL (${bin}) up on port ${port} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    let stopped = false;
    const stopArgs = ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'];
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      try {
        await run(pgCtl, stopArgs, { log });
      } catch (err) {
        log(`pg_ctl stop failed: ${err.message}`);
      }
      cleanupDir();
    };
    // For 'exit' handlers, where nothing async runs any more.
    const stopSync = () => {
      if (stopped) return;
      stopped = true;
      const [c, a] = asPgUser(pgCtl, stopArgs);
      spawnSync(c, a, { stdio: 'ignore', cwd: os.tmpdir(), timeout: 30_000 });
      cleanupDir();
    };
    return { url, port, dir, stop, stopSync };
  } catch (err) {
    if (started) {
      const [c, a] = asPgUser(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']);
      spawnSync(c, a, { stdio: 'ignore', cwd: os.tmpdir() });
    }
    cleanupDir();
    throw err;
  }
}

function safeRead(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

// ---- CLI ----------------------------------------------------------------------------------------
const isMain = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const pg = await startPg();
  if (!pg) {
    console.error(
      'PostgreSQL server binaries (pg_ctl, initdb) not found in PATH, /usr/lib/postgresql/*/bin or /usr/local/bin.\n' +
        '未找到 PostgreSQL 服务端程序。Debian/Ubuntu: apt-get install postgresql',
    );
    process.exit(1);
  }
  console.log(`DATABASE_URL=${pg.url}`);
  console.error('按 Ctrl-C 停止并删除该临时数据库 / Ctrl-C stops the cluster and deletes it.');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await pg.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
  process.on('exit', () => pg.stopSync());
  setInterval(() => {}, 1 << 30); // keep the process alive
}
