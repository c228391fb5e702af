/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plain driver for a libFuzzer target, so every fuzz target also runs as a CTest test without
 * libFuzzer: it feeds the target each file of the corpus directories given as arguments, then
 * deterministic mutations of them (bit flips, truncations, splices) and pseudo-random inputs.
 * Built with the sanitizers, this catches memory errors on the decoders' edge cases.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT     1024
#define MAX_SEEDS     256
#define RANDOM_RUNS   4000
#define MUTATIONS_PER 64

static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct seed {
    uint8_t data[MAX_INPUT];
    size_t len;
};

static size_t load_dir(const char *dir, struct seed *seeds, size_t count)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL) {
        return count;
    }
    while ((e = readdir(d)) != NULL && count < MAX_SEEDS) {
        char path[1024];
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            continue;
        }
        seeds[count].len = fread(seeds[count].data, 1, MAX_INPUT, f);
        fclose(f);
        count++;
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    static struct seed seeds[MAX_SEEDS];
    uint8_t buf[MAX_INPUT];
    uint64_t rng = 0x6d657368727072ULL;
    size_t count = 0;
    size_t runs = 0;

    for (int i = 1; i < argc; i++) {
        count = load_dir(argv[i], seeds, count);
    }
    for (size_t i = 0; i < count; i++) {
        LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
        runs++;
        for (size_t m = 0; m < MUTATIONS_PER; m++) {
            size_t len = seeds[i].len;
            memcpy(buf, seeds[i].data, len);
            switch (rng_next(&rng) % 4) {
            case 0: /* flip a few bits */
                for (int k = 0; k < 3 && len > 0; k++) {
                    buf[rng_next(&rng) % len] ^= (uint8_t)(1u << (rng_next(&rng) % 8));
                }
                break;
            case 1: /* truncate */
                len = len > 0 ? rng_next(&rng) % len : 0;
                break;
            case 2: /* overwrite one octet with an edge value */
                if (len > 0) {
                    static const uint8_t edges[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };
                    buf[rng_next(&rng) % len] = edges[rng_next(&rng) % sizeof(edges)];
                }
                break;
            default: { /* splice with another seed's tail */
                const struct seed *o = &seeds[rng_next(&rng) % count];
                size_t cut = len > 0 ? rng_next(&rng) % len : 0;
                size_t from = o->len > 0 ? rng_next(&rng) % o->len : 0;
                size_t add = o->len - from;
                if (cut + add > MAX_INPUT) {
                    add = MAX_INPUT - cut;
                }
                memcpy(buf + cut, o->data + from, add);
                len = cut + add;
                break;
            }
            }
            LLVMFuzzerTestOneInput(buf, len);
            runs++;
        }
    }
    for (size_t r = 0; r < RANDOM_RUNS; r++) {
        size_t len = rng_next(&rng) % 400;
        for (size_t k = 0; k < len; k++) {
            buf[k] = (uint8_t)rng_next(&rng);
        }
        LLVMFuzzerTestOneInput(buf, len);
        runs++;
    }
    printf("%zu inputs (%zu seeds) replayed\n", runs, count);
    return 0;
}
