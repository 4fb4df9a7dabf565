import { describe, expect, it } from 'vitest';

import { blockForwardFlops, forwardFlops, trainStepFlops } from '../../src/model/train-flops';

const ANCHOR = { layers: 4, dModel: 128, heads: 1, context: 64, batch: 64, vocab: 500 };

describe('trainStepFlops', () => {
  it('matches the hand count for the anchor shape', () => {
    // N = B*T = 4096 tokens. Per block: projections 4*2*N*d*d = 536,870,912; scores + A*V
    // 2*2*B*T*T*d = 134,217,728; MLP 2*2*N*d*4d = 1,073,741,824; sum 1,744,830,464.
    expect(blockForwardFlops(ANCHOR)).toBe(1_744_830_464);
    // 4 blocks = 6,979,321,856; head 2*N*d*500 = 524,288,000.
    expect(forwardFlops(ANCHOR)).toBe(7_503_609_856);
    expect(trainStepFlops(ANCHOR)).toBe(22_510_829_568);
  });

  it('matches the hand count for the small shape', () => {
    // N = 1024, d = 64, T = 16: per block 24*N*d^2 + 4*N*T*d = 100,663,296 + 4,194,304;
    // 2 blocks = 209,715,200; head 2*1024*64*100 = 13,107,200; forward 222,822,400.
    const small = { layers: 2, dModel: 64, heads: 1, context: 16, batch: 64, vocab: 100 };
    expect(trainStepFlops(small)).toBe(668_467_200);
  });

  it('does not depend on the number of heads (the heads split d)', () => {
    expect(trainStepFlops({ ...ANCHOR, heads: 4 })).toBe(trainStepFlops(ANCHOR));
  });
});
