import { describe, expect, it } from "vitest";
import { ScalingPolicy, Stabiliser, type PolicySettings, type PoolLoad, type PoolObservation } from "../src/policy/index.js";

const settings = (over: Partial<PolicySettings> = {}): PolicySettings => ({
  targetDrainS: 30,
  scaleDownWindowMs: 60_000,
  scaleDownStep: 1,
  maxInstances: 100,
  defaultTaskMs: 1000,
  bounds: new Map([
    ["codebase", { min: 1, max: 8 }],
    ["web", { min: 1, max: 4 }],
    ["bash", { min: 1, max: 8 }],
  ]),
  fallbackLimit: () => 16,
  ...over,
});
const load = (over: Partial<PoolLoad> = {}): PoolLoad => ({
  instances: 1,
  meanLimit: 16,
  inFlight: 0,
  durationMs: 1000,
  finished: 50,
  errorRate: 0,
  cpuPercent: 20,
  memoryFraction: 0.2,
  ...over,
});
const obs = (pool: string, current: number, pending: number, over: Partial<PoolLoad> = {}): PoolObservation => ({
  pool,
  current,
  load: load(over),
  queue: { pending, ackPending: 0 },
});

describe("ScalingPolicy", () => {
  it("scales up at once to what clears the backlog, with the arithmetic in the reason", () => {
    const [d] = new ScalingPolicy(settings()).decide([obs("codebase", 1, 960, { inFlight: 16 })], 0);
    // 960 × 1 s / 30 s + 16 = 48 → 3 replicas of 16.
    expect(d).toMatchObject({ pool: "codebase", previous: 1, desired: 3, replicas: 3, direction: "up" });
    expect(d!.reason).toMatch(/^up 1→3: backlog 960/);
  });
  it("bounds by the pool's max and min", () => {
    const policy = new ScalingPolicy(settings());
    expect(policy.decide([obs("web", 1, 100_000)], 0)[0]).toMatchObject({ desired: expect.any(Number), replicas: 4 });
    expect(policy.decide([obs("web", 1, 100_000)], 0)[0]!.reason).toContain("bounded to 1..4");
    expect(new ScalingPolicy(settings()).decide([obs("web", 0, 0)], 0)[0]).toMatchObject({ replicas: 1, direction: "up" });
  });
  it("holds with a reason when nothing changes", () => {
    const [d] = new ScalingPolicy(settings()).decide([obs("codebase", 1, 0, { inFlight: 3 })], 0);
    expect(d).toMatchObject({ replicas: 1, direction: "hold" });
    expect(d!.reason).toMatch(/^hold 1→1: backlog 0/);
  });
  it("assumes the default duration until one is measured, then remembers the last one", () => {
    const policy = new ScalingPolicy(settings());
    expect(policy.decide([obs("codebase", 1, 30, { durationMs: undefined })], 0)[0]!.reason).toContain("1000 ms assumed");
    policy.decide([obs("codebase", 1, 0, { durationMs: 4000 })], 1000);
    // 480 × 4 s / 30 s = 64 → 4 replicas, with the remembered 4 s.
    expect(policy.decide([obs("codebase", 1, 480, { durationMs: undefined })], 2000)[0]!.replicas).toBe(4);
  });
  it("a missing consumer is an error and a hold, never a scale-up", () => {
    const [d] = new ScalingPolicy(settings()).decide(
      [
        {
          pool: "codebase",
          current: 2,
          load: load({ inFlight: 1000 }),
          queue: { error: "consumer workers on TM_TASKS_CODEBASE not found", reason: "consumer-missing" },
        },
      ],
      0,
    );
    expect(d).toMatchObject({ replicas: 2, direction: "hold", error: { reason: "consumer-missing" } });
    expect(d!.reason).toContain("queue not readable (consumer-missing");
  });
  it("a missing stream keeps a pool at its minimum, not at its max", () => {
    const [d] = new ScalingPolicy(settings()).decide(
      [
        {
          pool: "web",
          current: 0,
          load: load({ instances: 0 }),
          queue: { error: "stream TM_TASKS_WEB not found", reason: "stream-missing" },
        },
      ],
      0,
    );
    expect(d).toMatchObject({ replicas: 1, error: { reason: "stream-missing" } });
  });
  it("errors ≥ 5 % hold a backlog scale-up; CPU ≥ 90 % adds a replica", () => {
    const policy = new ScalingPolicy(settings());
    const [failing] = policy.decide([obs("codebase", 2, 5000, { errorRate: 0.2, finished: 100 })], 0);
    expect(failing).toMatchObject({ replicas: 2, direction: "hold" });
    expect(failing!.reason).toContain("errors are not capacity");
    const [hot] = policy.decide([obs("bash", 2, 0, { cpuPercent: 97, inFlight: 3 })], 0);
    expect(hot).toMatchObject({ replicas: 3, direction: "up" });
  });
  it("an idle pool (no backlog, nothing in flight) gets no replica, whatever its CPU and memory say", () => {
    // The numbers are injected: a worker reporting 100 % CPU and 99 % memory while running nothing,
    // round after round (what a busy host used to look like before workers reported their own use).
    const policy = new ScalingPolicy(settings({ scaleDownWindowMs: 10_000 }));
    const current = { codebase: 1, web: 1, bash: 3 };
    for (let t = 0; t <= 30_000; t += 1000) {
      const decisions = policy.decide(
        (Object.keys(current) as (keyof typeof current)[]).map((pool) =>
          obs(pool, current[pool], 0, { cpuPercent: 100, memoryFraction: 0.99, inFlight: 0, finished: 0 }),
        ),
        t,
      );
      for (const d of decisions) {
        expect(d.direction).not.toBe("up");
        expect(d.reason).toContain("not this pool's work");
        current[d.pool as keyof typeof current] = d.replicas;
      }
    }
    // Pools at their minimum stay there; one above it comes down after the window, as any idle pool does.
    expect(current).toEqual({ codebase: 1, web: 1, bash: 1 });
  });
  it("the same pressure with calls in flight or queued still adds a replica", () => {
    const policy = new ScalingPolicy(settings());
    expect(policy.decide([obs("codebase", 1, 0, { cpuPercent: 100, inFlight: 1 })], 0)[0]).toMatchObject({ replicas: 2, direction: "up" });
    expect(policy.decide([obs("web", 1, 1, { memoryFraction: 0.99 })], 0)[0]).toMatchObject({ replicas: 2, direction: "up" });
  });
  it("splits the cap by shares when pools together want more", () => {
    const policy = new ScalingPolicy(
      settings({
        maxInstances: 10,
        bounds: new Map([
          ["codebase", { min: 1, max: 50 }],
          ["web", { min: 1, max: 50 }],
        ]),
      }),
    );
    const decisions = policy.decide([obs("codebase", 1, 100_000), obs("web", 1, 100_000)], 0);
    const byPool = Object.fromEntries(decisions.map((d) => [d.pool, d.replicas]));
    expect(byPool.codebase! + byPool.web!).toBe(10);
    expect(byPool.codebase).toBeGreaterThan(byPool.web!);
    expect(decisions[0]!.reason).toContain("cap of 10 instances");
  });
});

describe("stabilisation", () => {
  it("scales down only after the lower count was wanted for the whole window, one step at a time", () => {
    const policy = new ScalingPolicy(settings({ scaleDownWindowMs: 10_000 }));
    let current = 1;
    const step = (t: number, pending: number): string => {
      const [d] = policy.decide([obs("codebase", current, pending)], t);
      current = d!.replicas;
      return d!.direction;
    };
    expect(step(0, 2400)).toBe("up"); // 2400 × 1 / 30 = 80 → 5
    expect(current).toBe(5);
    for (let t = 1000; t < 10_000; t += 1000) expect(step(t, 0)).toBe("hold");
    expect(step(11_000, 0)).toBe("down");
    expect(current).toBe(4);
    expect(step(12_000, 0)).toBe("down");
    expect(current).toBe(3);
  });
  it("does not flap on an oscillating input", () => {
    const policy = new ScalingPolicy(settings({ scaleDownWindowMs: 10_000 }));
    let current = 1;
    const seen: number[] = [current];
    for (let t = 0; t < 120_000; t += 1000) {
      // Bursts every 6 s: 4 replicas' worth, then nothing.
      const pending = (t / 1000) % 6 < 3 ? 1920 : 0;
      const [d] = policy.decide([obs("codebase", current, pending)], t);
      current = d!.replicas;
      seen.push(current);
    }
    const changes = seen.filter((r, i) => i > 0 && r !== seen[i - 1]).length;
    expect(changes).toBe(1); // up once to 4, then stays
    expect(current).toBe(4);
  });
  it("a fresh stabiliser never scales down before it has seen a full window", () => {
    const stabiliser = new Stabiliser({ windowMs: 5000, step: 2 });
    expect(stabiliser.next(1, 6, 0).replicas).toBe(6);
    expect(stabiliser.next(1, 6, 4000).note).toContain("less than 5 s of history");
    expect(stabiliser.next(1, 6, 5000).replicas).toBe(4);
  });
});
