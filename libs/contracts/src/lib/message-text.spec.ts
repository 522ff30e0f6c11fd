import { coordinatesText, humanFileSize } from './message-text';

describe('humanFileSize', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [5 * 1024 * 1024, '5 MB'],
    [123.4 * 1024 * 1024, '123 MB'],
    [3.25 * 1024 ** 3, '3.3 GB'],
  ])('%d bytes is %s', (bytes, text) => expect(humanFileSize(bytes)).toBe(text));

  it('says the size is unknown when there is none', () => {
    expect(humanFileSize(null)).toBe('大小未知');
    expect(humanFileSize(-1)).toBe('大小未知');
  });
});

describe('coordinatesText', () => {
  it('writes both to six places, or nothing when one is missing', () => {
    expect(coordinatesText(31.189, 121.437)).toBe('31.189000, 121.437000');
    expect(coordinatesText(-33.8688194, 151.2092956)).toBe('-33.868819, 151.209296');
    expect(coordinatesText(null, 121.437)).toBeNull();
    expect(coordinatesText(31.189, null)).toBeNull();
  });
});
