#!/usr/bin/env node
// Packs the extension into a VSIX (a zip with extension.vsixmanifest, [Content_Types].xml and the files
// under extension/). @vscode/vsce 4 needs Node 22 and pulls a large tree; this writes the same layout
// with node:zlib. The file list: package.json `files`-style globs below, minus .vscodeignore.
// usage: node scripts/package-vsix.mjs [out.vsix]   (run `npm run build` first)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.resolve(process.argv[2] ?? path.join(root, `${manifest.name}-${manifest.version}.vsix`));

// What the installed extension needs: the bundles, the schema, and the daemon's one native module.
const INCLUDED = ['package.json', 'README.md', 'LICENSE', 'THIRD_PARTY_NOTICES.md', 'dist/daemon', 'dist/extension', 'dist/schemas', 'dist/webview', 'media', 'bin',
  'node_modules/better-sqlite3/package.json', 'node_modules/better-sqlite3/lib', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'node_modules/bindings', 'node_modules/file-uri-to-path'];
const ignore = readIgnore(path.join(root, '.vscodeignore'));

function readIgnore(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map(globToRegExp);
}

function globToRegExp(glob) {
  // A NUL byte marks where `**` stood while single `*` is rewritten; no glob contains one.
  // eslint-disable-next-line no-control-regex
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '(?:.*/)?');
  return new RegExp(`^${escaped}$`);
}

function collect(relative, files) {
  const absolute = path.join(root, relative);
  if (!fs.existsSync(absolute)) return;
  const stat = fs.statSync(absolute);
  if (stat.isDirectory()) for (const name of fs.readdirSync(absolute).sort()) collect(path.posix.join(relative, name), files);
  else if (!ignore.some((pattern) => pattern.test(relative))) files.push(relative);
}

const files = [];
for (const entry of INCLUDED) collect(entry, files);
if (!files.includes('dist/extension/extension.js')) throw new Error('dist/extension/extension.js is missing: run `npm run build` first');

const esc = (text) => String(text).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const vsixManifest = `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${esc(manifest.name)}" Version="${esc(manifest.version)}" Publisher="${esc(manifest.publisher)}" />
    <DisplayName>${esc(manifest.displayName)}</DisplayName>
    <Description xml:space="preserve">${esc(manifest.description)}</Description>
    <Categories>${esc((manifest.categories ?? []).join(','))}</Categories>
    <Properties><Property Id="Microsoft.VisualStudio.Code.Engine" Value="${esc(manifest.engines.vscode)}" /></Properties>
  </Metadata>
  <Installation><InstallationTarget Id="Microsoft.VisualStudio.Code" /></Installation>
  <Dependencies />
  <Assets><Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" /></Assets>
</PackageManifest>
`;
const contentTypes = `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension=".json" ContentType="application/json" /><Default Extension=".vsixmanifest" ContentType="text/xml" /><Default Extension=".js" ContentType="application/javascript" /><Default Extension=".md" ContentType="text/markdown" /><Default Extension=".node" ContentType="application/octet-stream" /><Default Extension=".map" ContentType="application/json" /><Default Extension=".txt" ContentType="text/plain" /></Types>
`;

const entries = [
  ['extension.vsixmanifest', Buffer.from(vsixManifest)],
  ['[Content_Types].xml', Buffer.from(contentTypes)],
  ...files.map((file) => [`extension/${file}`, fs.readFileSync(path.join(root, file))]),
];
writeZip(out, entries);
process.stderr.write(`packaged ${files.length} files into ${out} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)\n`);

/** A plain zip (deflate, no zip64: the extension is far below 4 GiB). */
function writeZip(target, items) {
  const chunks = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of items) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00, reproducible
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    chunks.push(local, nameBytes, compressed);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(0x031e, 4); // made by: unix
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(0x00210000, 12);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // file mode
    header.writeUInt32LE(offset, 42);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralSize = central.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(target, Buffer.concat([...chunks, ...central, end]));
}
