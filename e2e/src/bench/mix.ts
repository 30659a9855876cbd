export type Channel = "IOS_PUSH" | "ANDROID_PUSH" | "SMS" | "EMAIL";

/** The seed's daily volume in proportion: 10M push (half iOS, half Android), 1M SMS, 5M email. */
export const SEED_MIX: [Channel, number][] = [
  ["IOS_PUSH", 5],
  ["ANDROID_PUSH", 5],
  ["SMS", 1],
  ["EMAIL", 5],
];

/**
 * The mix spelled out one slot per unit of weight, interleaved (smooth weighted round robin:
 * IOS, ANDROID, EMAIL, IOS, …) so that even a short run, such as a few bulk calls, already
 * touches every channel. Item i of a run goes to slots[i % length].
 */
export function slots(mix: [Channel, number][]): Channel[] {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  const current = mix.map(() => 0);
  const out: Channel[] = [];
  for (let n = 0; n < total; n++) {
    let best = 0;
    mix.forEach(([, w], i) => {
      current[i]! += w;
      if (current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    out.push(mix[best]![0]);
  }
  return out;
}

const spelled = new WeakMap<[Channel, number][], Channel[]>();

export function pickChannel(mix: [Channel, number][], i: number): Channel {
  let all = spelled.get(mix);
  if (!all) spelled.set(mix, (all = slots(mix)));
  return all[i % all.length]!;
}

export function describeMix(mix: [Channel, number][]): string {
  return mix.map(([c, w]) => `${c}:${w}`).join(" ");
}
