/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_deemph.c - de-emphasis of tracks recorded with pre-emphasis.
 *
 * A CD track flagged pre-emphasis (IEC 60908) had its treble raised by the
 * 50/15 us curve, H(s) = (1 + s 15us) / (1 + s 50us) undone on playback.
 * The filter here is the high-shelf biquad that sox's `deemph` effect uses
 * for 44.1 kHz (corner 5283 Hz, slope 0.4845, gain -9.477 dB, in Robert
 * Bristow-Johnson's cookbook form), a fit of that curve: -8.9 dB at
 * 15 kHz as the analog curve has it.  Samples are 16-bit little-endian
 * stereo, filtered in double precision, rounded to nearest and clipped.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "imaging/audio/audio.h"

void img_deemph_init(struct img_deemph *f)
{
	const double fs = 44100.0, fc = 5283.0, slope = 0.4845, gain = -9.477;
	double A = pow(10.0, gain / 40.0), w0 = 2.0 * M_PI * fc / fs;
	double cw = cos(w0), alpha = sin(w0) / 2.0 * sqrt((A + 1.0 / A) * (1.0 / slope - 1.0) + 2.0);
	double sa = 2.0 * sqrt(A) * alpha;
	double a0 = (A + 1.0) - (A - 1.0) * cw + sa;

	memset(f, 0, sizeof(*f));
	f->b0 = A * ((A + 1.0) + (A - 1.0) * cw + sa) / a0;
	f->b1 = -2.0 * A * ((A - 1.0) + (A + 1.0) * cw) / a0;
	f->b2 = A * ((A + 1.0) + (A - 1.0) * cw - sa) / a0;
	f->a1 = 2.0 * ((A - 1.0) - (A + 1.0) * cw) / a0;
	f->a2 = ((A + 1.0) - (A - 1.0) * cw - sa) / a0;
}

void img_deemph_run(struct img_deemph *f, uint8_t *pcm, size_t samples)
{
	for (size_t i = 0; i < samples * 2; i++) {
		int c = (int)(i & 1);
		double x = (double)(int16_t)(uint16_t)(pcm[2 * i] | pcm[2 * i + 1] << 8);
		double y = f->b0 * x + f->b1 * f->x1[c] + f->b2 * f->x2[c] -
			   f->a1 * f->y1[c] - f->a2 * f->y2[c];
		long v = lround(y);

		f->x2[c] = f->x1[c];
		f->x1[c] = x;
		f->y2[c] = f->y1[c];
		f->y1[c] = y;
		v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
		pcm[2 * i] = (uint8_t)((uint16_t)v & 0xff);
		pcm[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
	}
}
