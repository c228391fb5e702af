/* SPDX-License-Identifier: Apache-2.0 */
/* The simulator's seeded PRNG: xoshiro256** (Blackman and Vigna), its state filled from the
 * seed by splitmix64 as its authors recommend, so that any 64-bit seed (0 included) gives a
 * well-mixed, non-zero state. It is fast, has no global state and gives the same stream on
 * every platform, which is all a reproducible simulation needs; it is not a CSPRNG, so it
 * stays in the simulator. */
#include <meshrpr/sim.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64u - k));
}

void meshrpr_sim_rng_seed(struct meshrpr_sim_rng *rng, uint64_t seed)
{
    uint64_t state = seed;

    for (size_t i = 0; i < 4; i++) {
        rng->s[i] = splitmix64(&state);
    }
}

void meshrpr_sim_rng_seed_stream(struct meshrpr_sim_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Hash the stream number before combining it with the seed: seeding with seed + stream
     * would start neighbouring streams one splitmix64 step apart, sharing three of their four
     * state words. */
    uint64_t s = stream;
    meshrpr_sim_rng_seed(rng, seed ^ splitmix64(&s));
}

uint64_t meshrpr_sim_rng_next(struct meshrpr_sim_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5u, 7) * 9u;
    const uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t meshrpr_sim_rng_below(struct meshrpr_sim_rng *rng, uint64_t bound)
{
    if (bound == 0) {
        return 0;
    }
    /* Reject the lowest (2^64 mod bound) values so that every residue is equally likely. */
    const uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t r = meshrpr_sim_rng_next(rng);
        if (r >= threshold) {
            return r % bound;
        }
    }
}

double meshrpr_sim_rng_unit(struct meshrpr_sim_rng *rng)
{
    /* The top 53 bits fill a double's mantissa exactly. */
    return (double)(meshrpr_sim_rng_next(rng) >> 11) * 0x1.0p-53;
}

void meshrpr_sim_rng_fill(struct meshrpr_sim_rng *rng, uint8_t *out, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint64_t r = meshrpr_sim_rng_next(rng);
        for (size_t k = 0; k < 8 && i < len; k++, i++) {
            out[i] = (uint8_t)(r >> (8 * k));
        }
    }
}
