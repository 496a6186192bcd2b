// Regenerates gen/ from toolmesh/**/*.proto with ts-proto through the buf CLI
// (shipped inside the @bufbuild/buf npm package, so no system protoc is
// needed), and builds dist/descriptors.binpb: the FileDescriptorSet the
// coordinator serves over gRPC reflection — toolmesh's files, the health and
// reflection protos of the services it also serves, and their imports
// (google/protobuf/struct.proto), under their real names and with their
// dependency lists, as buf compiles them. Skips each step when its outputs are
// newer than its inputs.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const genDir = join(root, "gen");
const descriptorSet = join(root, "dist", "descriptors.binpb");
const require = createRequire(import.meta.url);
const bufBin = join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin", "buf");

function files(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => f.endsWith(ext));
}

function upToDate(inputs, outputs) {
  if (outputs.length === 0 || !outputs.every((f) => existsSync(f))) return false;
  const newestInput = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
  return Math.min(...outputs.map((f) => statSync(f).mtimeMs)) >= newestInput;
}

// The standard services' protos, from the packages that implement them, by
// the names every gRPC implementation uses for them.
const packageRoot = (name) => dirname(require.resolve(`${name}/package.json`));
const standardProtos = {
  "grpc/health/v1/health.proto": join(packageRoot("grpc-health-check"), "proto/health/v1/health.proto"),
  "grpc/reflection/v1/reflection.proto": join(packageRoot("@grpc/reflection"), "build/proto/grpc/reflection/v1/reflection.proto"),
  "grpc/reflection/v1alpha/reflection.proto": join(packageRoot("@grpc/reflection"), "build/proto/grpc/reflection/v1alpha/reflection.proto"),
};

const ownProtos = files(join(root, "toolmesh"), ".proto");
const script = fileURLToPath(import.meta.url);

if (upToDate([...ownProtos, join(root, "buf.gen.yaml"), script], files(genDir, ".ts"))) {
  console.log("proto: gen/ is up to date");
} else {
  rmSync(genDir, { recursive: true, force: true });
  execFileSync(bufBin, ["generate"], { cwd: root, stdio: "inherit" });
  console.log(`proto: generated ${files(genDir, ".ts").length} files into gen/`);
}

if (upToDate([...ownProtos, ...Object.values(standardProtos), script], [descriptorSet])) {
  console.log("proto: dist/descriptors.binpb is up to date");
} else {
  // buf builds one module: lay the files out under their import paths.
  const moduleDir = mkdtempSync(join(tmpdir(), "toolmesh-proto-"));
  try {
    cpSync(join(root, "toolmesh"), join(moduleDir, "toolmesh"), { recursive: true });
    for (const [name, source] of Object.entries(standardProtos)) {
      mkdirSync(dirname(join(moduleDir, name)), { recursive: true });
      cpSync(source, join(moduleDir, name));
    }
    mkdirSync(dirname(descriptorSet), { recursive: true });
    execFileSync(bufBin, ["build", moduleDir, "--as-file-descriptor-set", "-o", descriptorSet], { stdio: "inherit" });
  } finally {
    rmSync(moduleDir, { recursive: true, force: true });
  }
  console.log(`proto: built ${statSync(descriptorSet).size} bytes of descriptors into dist/descriptors.binpb`);
}
