import { randomBytes } from 'node:crypto';
import { FLIGHT_CODE_ALPHABET, FLIGHT_CODE_LENGTH } from '@rendezvous/protocol';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A flight code: 32 symbols, so `byte & 31` is unbiased. */
export function generateFlightCode(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(FLIGHT_CODE_LENGTH);
  let code = '';
  for (let i = 0; i < FLIGHT_CODE_LENGTH; i++) code += FLIGHT_CODE_ALPHABET[(bytes[i] as number) & 31];
  return code;
}

/** A random id of `length` characters from [0-9a-z]; rejection sampling (bytes >= 252) keeps it unbiased. */
export function randomBase36Id(length: number): string {
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length + 8)) {
      if (byte < 252 && id.length < length) id += BASE36[byte % 36];
    }
  }
  return id;
}

/** A 10-character session id, as DropSilk's `registered {id}`. */
export function generateSessionId(): string {
  return randomBase36Id(10);
}

/** A random token that tells each flight apart from a later one with the same code. */
export function generateFlightToken(): string {
  return randomBytes(6).toString('base64url');
}

const ADJECTIVES = [
  'Amber',
  'Bold',
  'Brave',
  'Bright',
  'Calm',
  'Clever',
  'Cosmic',
  'Crimson',
  'Daring',
  'Eager',
  'Gentle',
  'Golden',
  'Happy',
  'Jolly',
  'Keen',
  'Lively',
  'Lucky',
  'Mellow',
  'Misty',
  'Noble',
  'Polar',
  'Quick',
  'Quiet',
  'Rapid',
  'Silver',
  'Sunny',
  'Swift',
  'Tidy',
  'Velvet',
  'Vivid',
  'Wise',
  'Zesty',
];
const NOUNS = [
  'Albatross',
  'Badger',
  'Comet',
  'Dolphin',
  'Eagle',
  'Falcon',
  'Fox',
  'Gecko',
  'Heron',
  'Ibis',
  'Jaguar',
  'Koala',
  'Lynx',
  'Meteor',
  'Nebula',
  'Otter',
  'Owl',
  'Panda',
  'Pelican',
  'Quasar',
  'Raven',
  'Rocket',
  'Sparrow',
  'Swan',
  'Tiger',
  'Toucan',
  'Walrus',
  'Whale',
  'Wolf',
  'Yak',
  'Zebra',
  'Orbit',
];

/** A readable name shown until the client sends `register-details`. */
export function generateDisplayName(): string {
  const bytes = randomBytes(2);
  return `${ADJECTIVES[(bytes[0] as number) & 31]} ${NOUNS[(bytes[1] as number) & 31]}`;
}
