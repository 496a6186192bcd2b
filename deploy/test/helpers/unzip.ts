import { crc32, inflateRawSync } from "node:zlib";

/**
 * Reads one entry of a zip archive held in memory: the end-of-central-directory
 * record gives the central directory, whose entry gives the local header and the
 * data offset. Stored (0) and deflated (8) entries; no zip64, no encryption —
 * enough for lambda-layer-kubectl's layer.zip, without a system `unzip`.
 */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const eocd = findEndOfCentralDirectory(zip);
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip: bad central directory entry at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const entryName = zip.toString("utf8", at + 46, at + 46 + nameLength);
    if (entryName === name) {
      if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`zip: bad local header for ${name}`);
      const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const raw = zip.subarray(dataStart, dataStart + compressedSize);
      const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : unsupported(name, method);
      if (data.length !== size) throw new Error(`zip: ${name} is ${data.length} bytes, expected ${size}`);
      if (crc32(data) >>> 0 !== crc) throw new Error(`zip: CRC mismatch for ${name}`);
      return data;
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip: no entry named ${name}`);
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes at the end.
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) return at;
  }
  throw new Error("zip: end of central directory not found");
}

function unsupported(name: string, method: number): never {
  throw new Error(`zip: ${name} uses compression method ${method}; only stored and deflate are supported`);
}
