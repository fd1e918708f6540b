#!/usr/bin/env node
/**
 * Prints a .vsix's size and the files it holds (read from the zip's central directory), so a change that
 * bloats the extension shows up in `npm run package`'s output.
 *   node scripts/print-vsix-size.mjs dist/cachescope.vsix
 */
import * as fs from 'node:fs';

const vsixPath = process.argv[2];
if (!vsixPath) {
  console.error('usage: node scripts/print-vsix-size.mjs <file.vsix>');
  process.exit(2);
}
if (!fs.existsSync(vsixPath)) {
  console.error(`print-vsix-size: ${vsixPath} does not exist`);
  process.exit(1);
}

const zip = fs.readFileSync(vsixPath);
const entries = readCentralDirectory(zip);
const packed = entries.filter((entry) => !entry.name.endsWith('/'));
const unpacked = packed.reduce((sum, entry) => sum + entry.size, 0);

console.log(`${vsixPath}: ${formatBytes(zip.length)} (${formatBytes(unpacked)} unpacked), ${packed.length} files`);
for (const entry of packed.sort((a, b) => b.size - a.size)) {
  console.log(`  ${formatBytes(entry.size).padStart(10)}  ${entry.name}`);
}

/** Names and uncompressed sizes of a zip's entries, from its end-of-central-directory record. */
function readCentralDirectory(buffer) {
  const endSignature = 0x06054b50;
  const entrySignature = 0x02014b50;
  // The end record is 22 bytes plus a comment of at most 65535 bytes, at the very end of the file.
  let end = -1;
  for (let offset = buffer.length - 22; offset >= Math.max(0, buffer.length - 22 - 0xffff); offset--) {
    if (buffer.readUInt32LE(offset) === endSignature) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new Error(`${vsixPath} is not a zip file (no end of central directory)`);
  const count = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let index = 0; index < count; index++) {
    if (buffer.readUInt32LE(offset) !== entrySignature) throw new Error(`${vsixPath}: corrupt central directory entry ${index}`);
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    entries.push({ name: buffer.toString('utf8', offset + 46, offset + 46 + nameLength), size });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function formatBytes(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} B`;
}
