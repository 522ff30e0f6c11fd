import { randomBytes } from 'node:crypto';
import { ascending } from './ascending';
import { chunks, chunksWithin } from './chunks';
import { parseExact } from '@op/contracts';
import { parseKeepingExt } from './exact-json';
import { cutDepth } from './json-shape';
import { groupBy } from './group-by';
import { hashPassword, verifyPassword } from './password';
import { SecretBox } from './secret-box';
import { Snowflake } from './snowflake';
import { TimeFormatter, parseZonedTime } from './time-format';

describe('chunks', () => {
  it('cuts a list into slices of the size, the last one shorter, and an empty list into none', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([1, 2], 2)).toEqual([[1, 2]]);
    expect(chunks([], 3)).toEqual([]);
  });

  it('cuts by a byte budget too, an item past it alone in its slice, making each item as its slice is reached', () => {
    const made: number[] = [];
    const slices = chunksWithin(
      [4, 4, 4, 1, 1],
      (n) => (made.push(n), n),
      10,
      8,
      (n) => n,
    );
    expect(slices.next().value).toEqual([4, 4]);
    expect(made).toEqual([4, 4, 4]); // the third made to learn it starts the next slice; no more
    expect([...slices]).toEqual([[4, 1, 1]]);
    expect([
      ...chunksWithin(
        [2, 20, 2, 2, 2],
        (n) => n,
        2,
        8,
        (n) => n,
      ),
    ]).toEqual([[2], [20], [2, 2], [2]]);
    expect([
      ...chunksWithin(
        [],
        (n: number) => n,
        2,
        8,
        (n) => n,
      ),
    ]).toEqual([]);
  });
});

describe('exact JSON', () => {
  const BIG = '{"a":12345678901234567890,"b":[-9007199254740993,9007199254740991,1.5,1e300],"c":{"d":99999999999999999999}}';

  it('keeps integers past 2^53 as their digits, and the rest as JSON.parse reads it', () => {
    expect(JSON.stringify(parseExact(BIG))).toBe(BIG.replace('1e300', '1e+300'));
    expect(JSON.stringify(JSON.parse(BIG))).not.toContain('12345678901234567890');
    expect(parseExact('{"a":1,"b":"12345678901234567890"}')).toEqual({ a: 1, b: '12345678901234567890' });
    expect(JSON.stringify(parseExact('12345678901234567890'))).toBe('12345678901234567890');
  });

  it('keeps them exact only inside ext when reading a message as it arrives', () => {
    const message = parseKeepingExt(
      `{"timestamp":12345678901234567890,"payload":{"ext":${BIG},"bodies":[{"length":12345678901234567891}]},"ext":12345678901234567892,"__proto__":12345678901234567893}`,
    ) as Record<string, unknown>;
    const payload = message.payload as { ext: object; bodies: Array<{ length: unknown }> };
    expect(JSON.stringify(payload.ext)).toBe(BIG.replace('1e300', '1e+300'));
    expect(message.timestamp).toBe(Number('12345678901234567890'));
    expect(payload.bodies[0].length).toBe(Number('12345678901234567891'));
    expect(message.ext).toBe(Number('12345678901234567892'));
    expect(Object.getOwnPropertyDescriptor(message, '__proto__')?.value).toBe(Number('12345678901234567893'));
    expect(Object.getPrototypeOf(message)).toBe(Object.prototype);
  });

  it("keeps them exact in what the stored ext takes as sent: a custom message's customExts, bodies past the first", () => {
    const big = '12345678901234567891';
    const message = parseKeepingExt(
      `{"payload":{"bodies":[{"type":"custom","customExts":{"n":${big}},"v2:customExts":{"n":-${big}},"length":${big}},{"type":"txt","n":${big}},${big}]}}`,
    ) as { payload: { bodies: unknown[] } };
    expect(JSON.stringify(message.payload.bodies)).toBe(
      `[{"type":"custom","customExts":{"n":${big}},"v2:customExts":{"n":-${big}},"length":${Number(big)}},{"type":"txt","n":${big}},${big}]`,
    );
  });

  it('is a value to the depth cut, written back whole', () => {
    const ext = parseExact(BIG) as Record<string, unknown>;
    expect(JSON.stringify(cutDepth(ext).value)).toBe(JSON.stringify(ext));
  });
});

describe('groupBy', () => {
  it("groups in one pass, keys in first-seen order, values in the items' order", () => {
    const grouped = groupBy(
      ['b1', 'a1', 'b2', 'a2', 'c1'],
      (s) => s[0],
      (s) => Number(s[1]),
    );
    expect([...grouped]).toEqual([
      ['b', [1, 2]],
      ['a', [1, 2]],
      ['c', [1]],
    ]);
    expect(groupBy([], (s: string) => s).size).toBe(0);
  });
});

describe('ascending', () => {
  it('orders strings by code unit whatever the locale, and bigints past 2^53 exactly', () => {
    expect(['b', 'é', 'a', 'B', 'a'].sort(ascending)).toEqual(['B', 'a', 'a', 'b', 'é']);
    expect([9007199254740993n, 9007199254740992n, 1n].sort(ascending)).toEqual([1n, 9007199254740992n, 9007199254740993n]);
  });
});

describe('Snowflake', () => {
  it('gives unique, increasing 64-bit ids, even many in one millisecond', () => {
    const ids = new Snowflake(5, () => 1_700_000_000_000);
    const values = Array.from({ length: 10_000 }, () => BigInt(ids.next()));
    for (let i = 1; i < values.length; i++) expect(values[i] > values[i - 1]).toBe(true);
    expect(values.every((v) => v > 0n && v < 2n ** 63n)).toBe(true);
  });

  it('keeps ids of two workers apart and survives a clock that steps back', () => {
    let now = 1_700_000_000_000;
    const one = new Snowflake(1, () => now);
    const two = new Snowflake(2, () => now);
    const a = one.next();
    expect(two.next()).not.toBe(a);
    now -= 5000;
    expect(BigInt(one.next()) > BigInt(a)).toBe(true);
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, under the same context only', () => {
    const sealed = box.seal('s3cr3t', 'client-1');
    expect(sealed).not.toContain('s3cr3t');
    expect(box.open(sealed, 'client-1')).toBe('s3cr3t');
    expect(() => box.open(sealed, 'client-2')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'client-1')).toThrow();
  });
});

describe('password hashing', () => {
  it('verifies the right password only, with a salt per hash', async () => {
    const one = await hashPassword('correct horse');
    const two = await hashPassword('correct horse');
    expect(one).not.toBe(two);
    expect(one).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse', one)).toBe(true);
    expect(await verifyPassword('correct horsf', one)).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });
});

describe('TimeFormatter', () => {
  it('writes yyyy-MM-dd HH:mm:ss in the zone it is given', () => {
    const ms = Date.UTC(2016, 1, 19, 10, 43, 0);
    expect(new TimeFormatter('Asia/Shanghai').formatMs(ms)).toBe('2016-02-19 18:43:00');
    expect(new TimeFormatter('UTC').formatMs(ms)).toBe('2016-02-19 10:43:00');
    expect(new TimeFormatter('Asia/Shanghai').formatMs(Date.UTC(2016, 11, 31, 16, 0, 0))).toBe('2017-01-01 00:00:00');
  });
});

describe('TimeFormatter against Intl', () => {
  it('formats exactly as Intl across zones, daylight-saving changes and odd history', () => {
    for (const zone of [
      'Asia/Shanghai',
      'America/New_York',
      'Europe/London',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'America/St_Johns',
      'UTC',
    ]) {
      const fast = new TimeFormatter(zone);
      const intl = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
      const reference = (ms: number) => {
        const parts: Record<string, string> = {};
        for (const part of intl.formatToParts(ms)) parts[part.type] = part.value;
        return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
      };
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const samples = [
        Date.UTC(2021, 2, 14, 6, 59, 59, 999),
        Date.UTC(2021, 2, 14, 7, 0, 0),
        Date.UTC(2021, 10, 7, 5, 59, 59, 500),
        Date.UTC(1900, 0, 1),
        -1,
        0,
        999,
      ];
      for (let i = 0; i < 3000; i++) samples.push(Math.floor((random() * 2 - 0.6) * 4e12));
      for (const ms of samples) expect([zone, ms, fast.formatMs(ms)]).toEqual([zone, ms, reference(ms)]);
    }
  });
});

describe('parseZonedTime', () => {
  const shanghai = new TimeFormatter('Asia/Shanghai');
  it('reads a wall-clock time in the zone', () => {
    expect(parseZonedTime('2016-02-19 18:43:00', shanghai)).toBe(Date.UTC(2016, 1, 19, 10, 43, 0));
    expect(parseZonedTime('2017-01-01 00:00:00', shanghai)).toBe(Date.UTC(2016, 11, 31, 16, 0, 0));
  });
  it('handles a zone with daylight saving, and refuses a skipped time', () => {
    const newYork = new TimeFormatter('America/New_York');
    expect(parseZonedTime('2026-07-01 12:00:00', newYork)).toBe(Date.UTC(2026, 6, 1, 16, 0, 0));
    expect(parseZonedTime('2026-01-01 12:00:00', newYork)).toBe(Date.UTC(2026, 0, 1, 17, 0, 0));
    expect(parseZonedTime('2026-03-08 02:30:00', newYork)).toBeNull();
  });
  it.each(['2026-13-01 00:00:00', '2026-02-30 00:00:00', '2026-01-01 24:00:00', '2026-01-01', '2026-01-01T00:00:00'])(
    'refuses %s',
    (text) => {
      expect(parseZonedTime(text, shanghai)).toBeNull();
    },
  );
});
