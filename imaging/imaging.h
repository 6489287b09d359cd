/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * imaging.h - the public interface of spindle's imaging layer.
 *
 * imaging/ streams images to and from the disc: burn sources and the FIFO,
 * verification (image compare, SHA-256, libisofs MD5 tags), the rescue
 * engine (mapfile, passes, resume), ISO mastering, and audio extraction.
 * It reaches drives only through drive/drive.h.
 *
 * Each area of imaging/ is a folder with one header, its public face;
 * this header gathers them for cli/.  docs/architecture.md says what each
 * area holds and which way the calls go.
 */
#ifndef SPINDLE_IMAGING_H
#define SPINDLE_IMAGING_H

#include "imaging/base/base.h"
#include "imaging/burn/burn.h"
#include "imaging/verify/verify.h"
#include "imaging/rescue/rescue.h"
#include "imaging/fs/fs.h"
#include "imaging/extract/extract.h"
#include "imaging/master/master.h"
#include "imaging/audio/audio.h"
#include "imaging/ecc/ecc.h"
#include "imaging/report/report.h"
#include "imaging/sums/sums.h"
#include "imaging/container/container.h"
#include "imaging/stick/stick.h"

/* ==== disc image formats (imaging/disc/) ==== */
#include "imaging/disc/disc.h"

#endif
