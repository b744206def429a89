/* llmr_sha256: the FIPS 180-4 examples, and every length across the
 * padding boundaries against an independent implementation (glib's). */
#include <glib.h>
#include <string.h>

#include "base/sha256.h"
#include "tap.h"

static void vectors(void)
{
	static const char *const cases[][2] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	char hex[65];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		llmr_sha256_hex(cases[i][0], strlen(cases[i][0]), hex);
		is_str(hex, cases[i][1], "FIPS 180-4 example %zu (%zu bytes)", i + 1, strlen(cases[i][0]));
	}
}

static void lengths(void)
{
	unsigned char buf[1000];
	char hex[65];
	int bad = -1;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (size_t n = 0; n <= sizeof(buf) && bad < 0; n++) {
		gchar *want = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, n);

		llmr_sha256_hex(buf, n, hex);
		if (strcmp(hex, want))
			bad = (int)n;
		g_free(want);
	}
	is_int(bad, -1, "every length from 0 to 1000 bytes agrees with glib");
}

int main(void)
{
	vectors();
	lengths();
	return done_testing();
}
