import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The repository's docs hold together: the README stays a front door, every relative link of
// every Markdown file lands on a file (and heading) of this repository, and no comment cites a
// file that only exists beside it. Pure file reads: no server, no database.
const ROOT = resolve(__dirname, '..', '..', '..');
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.nx', 'dist', '.next', 'data', 'test-results', 'coverage', 'bench-results']);
/** The original 2.37 document as received: its links point into the wiki it came from. */
const AS_RECEIVED = new Set(['docs/op-api-2.37-chatMessageList.md']);

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name), out);
    } else if (entry.isFile()) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

const files = walk(ROOT);
const rel = (path: string) => relative(ROOT, path).split(sep).join('/');
const markdown = files.filter((file) => file.endsWith('.md'));

/** The lines of a Markdown file outside fenced code blocks. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

const anchorCache = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  let found = anchorCache.get(file);
  if (!found) {
    found = new Set<string>();
    const seen = new Map<string, number>();
    for (const line of proseLines(readFileSync(file, 'utf8'))) {
      const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (!heading) continue;
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      found.add(count === 0 ? base : `${base}-${count}`);
    }
    anchorCache.set(file, found);
  }
  return found;
}

/** Every `[text](target)` of a file's prose, inline code left out. */
function links(file: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(readFileSync(file, 'utf8'))) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1]);
  }
  return targets;
}

/** Why a relative link does not resolve inside the repository, or null when it does. */
function brokenLink(file: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto:: not a file of ours
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  const destination = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
  if (path.startsWith('/')) return 'a path from the site root, not from this file';
  if (relative(ROOT, destination).startsWith('..')) return 'outside the repository';
  if (!existsSync(destination)) return 'no such file';
  if (anchor !== undefined && anchor !== '') {
    if (statSync(destination).isDirectory() || !destination.endsWith('.md')) return 'an anchor into a file that is not Markdown';
    if (!anchors(destination).has(anchor)) return `no heading #${anchor}`;
  }
  return null;
}

describe('the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('is a front door under 10 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(10_000);
  });

  it('opens with the two commands, as its first code block', () => {
    const block = /```bash\n([\s\S]*?)```/.exec(readme)![1];
    expect(
      block
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.split('#')[0].trim()),
    ).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });
});

describe('Markdown links', () => {
  it('finds the docs', () => {
    expect(markdown.map(rel)).toEqual(
      expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'docker/README.md', 'docs/CONTRACT.md']),
    );
  });

  it('land on a file, and a heading, of this repository', () => {
    const broken = markdown
      .filter((file) => !AS_RECEIVED.has(rel(file)))
      .flatMap((file) => links(file).map((target) => ({ file: rel(file), target, why: brokenLink(file, target) })))
      .filter((link) => link.why !== null);
    expect(broken).toEqual([]);
  });
});

describe('references', () => {
  const SOURCE = /\.(ts|tsx|js|mjs|cjs|ya?ml|md)$|Dockerfile$|^\.ci\/run$/;
  // Files of the machine this was built on, beside the repository: never part of a clone.
  const OUTSIDE = [['shared', 'spec'].join('/'), `../${'shared'}/`, ['TOOLCHAIN', 'md'].join('.'), ['STYLE', 'md'].join('.')];
  const sources = files.filter((file) => file !== __filename && SOURCE.test(rel(file)));

  it('name no file outside the repository', () => {
    const found = sources.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (OUTSIDE.some((name) => line.includes(name)) ? [`${rel(file)}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it('cite the contract as docs/CONTRACT.md in comments outside docs/', () => {
    const comment = /^\s*(\/\/|\/\*|\*|#)|\s\/\/\s/;
    const found = sources
      .filter((file) => !rel(file).startsWith('docs/') && !rel(file).endsWith('.md'))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, index) =>
            comment.test(line) && /(?<!docs\/)CONTRACT\.md/.test(line) ? [`${rel(file)}:${index + 1}: ${line.trim()}`] : [],
          ),
      );
    expect(found).toEqual([]);
  });
});
