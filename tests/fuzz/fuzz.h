/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz.h -- what every fuzz target in tests/fuzz/ defines and may use.
 *
 * A target is one C file with LLVMFuzzerInitialize() and
 * LLVMFuzzerTestOneInput(). It is linked two ways (docs/fuzzing.md):
 *  - with libFuzzer (clang -fsanitize=fuzzer), by tests/fuzz/run_fuzzers.sh
 *    or by configure --with-fuzzer, to search for new inputs;
 *  - with replay.c, an ordinary main() that runs every file of the
 *    target's corpus directory once, so `make check` replays the corpora
 *    with any compiler (the Knot DNS pattern).
 * Targets never depend on which: no global state survives an input, and a
 * failed property aborts the process so both ways report it.
 */
#ifndef CTD_FUZZ_H
#define CTD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called once before the first input; may edit argc/argv (unused here). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Run one input. Returns 0; a broken property aborts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Check a property of the code under test. Unlike assert() it is never
 * compiled out (configure defines NDEBUG unless --enable-checking), and it
 * aborts, which libFuzzer and the sanitizers report with a stack trace and
 * the replay driver turns into a failed test.
 */
#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fuzz property failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* FNV-1a over the input: targets derive their knobs (sizes, choices) from
 * it, so a corpus file stays exactly the bytes under test. */
static inline uint64_t
fuzz_hash(const uint8_t *data, size_t size)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0; i < size; i++) {
		h = (h ^ data[i]) * UINT64_C(0x100000001b3);
	}
	return h;
}

#endif /* CTD_FUZZ_H */
