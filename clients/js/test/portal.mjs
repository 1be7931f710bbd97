// A real Catalyst Portal process on 127.0.0.1 for the SDK tests: the built Portal
// (src/Portal/bin/<Configuration>/net10.0), a fresh data directory, the admin from the environment.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const AdminEmail = "sdk-admin@test.local";
export const AdminPassword = "Sdk-Admin-Pass-123!";
const running = new Set();

process.on("exit", () => { for (const child of running) child.kill("SIGKILL"); });
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, () => { for (const child of running) child.kill("SIGKILL"); process.exit(130); });

export function portalDll() {
  const configurations = [process.env.CATALYST_CONFIGURATION, "Release", "Debug"].filter(Boolean);
  for (const configuration of configurations) {
    const dll = join(root, "src", "Portal", "bin", configuration, "net10.0", "Catalyst.Portal.dll");
    if (existsSync(dll)) return dll;
  }
  throw new Error("Build the Portal first (dotnet build src/Portal); no Catalyst.Portal.dll was found.");
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export class Portal {
  constructor(port, dataDirectory, ownsDirectory) {
    this.port = port;
    this.dataDirectory = dataDirectory;
    this.ownsDirectory = ownsDirectory;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.output = "";
  }

  /** Starts a Portal; pass an earlier one's port and data directory to restart it. */
  static async start({ port, dataDirectory } = {}) {
    const portal = new Portal(port ?? (await freePort()), dataDirectory ?? mkdtempSync(join(tmpdir(), "catalyst-sdk-")), !dataDirectory);
    await portal.launch();
    return portal;
  }

  async launch() {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
      !/^(Catalyst__|Database__|ConnectionStrings__|Serilog__|Storage__|Jobs__)/i.test(key)));
    Object.assign(env, {
      ASPNETCORE_ENVIRONMENT: "Production",
      DOTNET_ENVIRONMENT: "Production",
      DOTNET_NOLOGO: "1",
      Catalyst__DataDirectory: this.dataDirectory,
      Catalyst__Admin__Email: AdminEmail,
      Catalyst__Admin__Password: AdminPassword,
    });
    const child = spawn("dotnet", [portalDll(), "--urls", this.baseUrl], { cwd: join(root, "src", "Portal"), env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    running.add(child);
    const keep = (chunk) => { this.output = (this.output + chunk).slice(-20_000); };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    this.exited = new Promise((resolveExit) => child.once("exit", (code) => { running.delete(child); resolveExit(code); }));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`The Portal exited with ${child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`${this.baseUrl}/health/ready`);
        if (response.status === 200) return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`The Portal did not become ready:\n${this.output}`);
  }

  /** Kills the process (no graceful shutdown, like a crash). */
  async stop() {
    if (this.child && this.child.exitCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }

  async restart() {
    await this.stop();
    await this.launch();
  }

  async dispose() {
    await this.stop();
    if (this.ownsDirectory) rmSync(this.dataDirectory, { recursive: true, force: true });
  }

  async json(method, path, { token, body, headers } = {}) {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async token(email = AdminEmail, password = AdminPassword) {
    const answer = await this.json("POST", "/api/auth/token", { body: { email, password, name: "sdk-tests" } });
    if (answer.status !== 201) throw new Error(`No token for ${email}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.data.token;
  }

  /** A new user with the User role, and a token. */
  async user(name) {
    const admin = this.adminToken ??= await this.token();
    const email = `${name}-${Math.random().toString(36).slice(2, 8)}@test.local`;
    const password = "User-Pass-123!";
    const created = await this.json("POST", "/api/admin/users", { token: admin, body: { email, password, roles: ["User"] } });
    if (created.status !== 201) throw new Error(`Could not create ${email}: ${created.status} ${JSON.stringify(created.body)}`);
    return { email, token: await this.token(email, password) };
  }
}

/** Polls until `condition` answers truthy, failing at the deadline. */
export async function until(condition, timeoutMs = 30_000, what = "the condition") {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
