import { startTestNats, type NatsServerHandle } from "@toolmesh/testing";
import { connect } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoordinatorProcess } from "../support/coordinator-process.js";

// Issue 10: the coordinator binds loopback by default and says so when it does not.
let nats: NatsServerHandle;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => nats?.stop());

/** The real coordinator process, its log lines until "ready". */
async function startUntilReady(env: Record<string, string>): Promise<{ lines: Array<Record<string, unknown>>; stop: () => Promise<void> }> {
  return startCoordinatorProcess({ TOOLMESH_NATS_URL: nats.url, ...env });
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** IPv4 and IPv6 addresses with a listening TCP socket on `port`, from /proc/net/tcp{,6}. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const addresses: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== "0A") continue; // 0A: LISTEN
      const [hexAddress, portPart] = local.split(":");
      if (portPart !== hexPort || !hexAddress) continue;
      if (hexAddress.length === 8) {
        // Little-endian IPv4.
        addresses.push(
          hexAddress
            .match(/../g)!
            .reverse()
            .map((b) => parseInt(b, 16))
            .join("."),
        );
      } else {
        addresses.push(hexAddress === "00000000000000000000000000000000" ? "::" : `ipv6:${hexAddress}`);
      }
    }
  }
  return addresses;
}

describe("coordinator binds", () => {
  it.skipIf(process.env.TOOLMESH_GRPC_HOST !== undefined)("binds 127.0.0.1 by default, without a warning", async () => {
    const { lines, stop } = await startUntilReady({});
    try {
      expect(lines.filter((l) => l.level === 40 || l.level === "warn")).toEqual([]);
      const port = Number(lines.find((l) => l.msg === "ready")!.grpcPort);
      expect(await reachable("127.0.0.1", port)).toBe(true);
      // The kernel's table of listening sockets says where it is bound: 127.0.0.1 only.
      // (Read, not probed: tests send traffic to loopback only.)
      expect(listeningAddresses(port)).toEqual(["127.0.0.1"]);
    } finally {
      await stop();
    }
  });

  it.skipIf(process.env.TOOLMESH_METRICS_HOST !== undefined)(
    "serves /metrics and the probes on 127.0.0.1 by default, and where TOOLMESH_METRICS_HOST says",
    async () => {
      const local = await startUntilReady({ TOOLMESH_METRICS_PORT: "0" });
      try {
        const port = Number(local.lines.find((l) => l.msg === "ready")!.metricsPort);
        expect(listeningAddresses(port)).toEqual(["127.0.0.1"]);
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      } finally {
        await local.stop();
      }
      const open = await startUntilReady({ TOOLMESH_METRICS_PORT: "0", TOOLMESH_METRICS_HOST: "0.0.0.0" });
      try {
        const port = Number(open.lines.find((l) => l.msg === "ready")!.metricsPort);
        expect(listeningAddresses(port)).toEqual(["0.0.0.0"]);
      } finally {
        await open.stop();
      }
    },
  );

  it("warns at start-up, naming the risk, when it binds 0.0.0.0 without TOOLMESH_GRPC_TOKEN", async () => {
    const { lines, stop } = await startUntilReady({ TOOLMESH_GRPC_HOST: "0.0.0.0" });
    try {
      const warning = lines.find((l) => typeof l.msg === "string" && l.msg.includes("without TOOLMESH_GRPC_TOKEN"));
      expect(warning).toMatchObject({
        host: "0.0.0.0",
        msg: expect.stringMatching(/anyone who reaches the port can submit workflows and run every tool/),
      });
    } finally {
      await stop();
    }
  });

  it("does not warn with a token", async () => {
    const { lines, stop } = await startUntilReady({ TOOLMESH_GRPC_HOST: "0.0.0.0", TOOLMESH_GRPC_TOKEN: "t".repeat(32) });
    try {
      expect(lines.some((l) => typeof l.msg === "string" && l.msg.includes("without TOOLMESH_GRPC_TOKEN"))).toBe(false);
    } finally {
      await stop();
    }
  });
});
