/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * boot.c - will this image boot from a stick?  A firmware boots a USB
 * stick from its MBR or GPT, never from an ISO 9660 El Torito catalogue,
 * so an ISO only boots from a stick when it is "hybrid" (isohybrid,
 * xorriso -isohybrid-mbr, grub-mkrescue): an ISO 9660 volume that also
 * carries a partition table in its first 32 KiB, which ISO 9660 leaves
 * to the system.  Windows installer ISOs are not hybrid and need their
 * files copied to a FAT32/NTFS stick; they are known by their volume
 * identifiers (CCCOMA_X64FRE_EN-US_DV9, CPBA_X64FRE..., J_CCSA_X64FRE...).
 */
#include "config.h"

#include <string.h>

#include "imaging/stick/stick_private.h"

#define ISO_VD 0x8000u

static bool has_mbr(const uint8_t *h, size_t len)
{
	if (len < 512 || h[510] != 0x55 || h[511] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = h + 446 + 16 * i;

		if (e[4] != 0 && (e[0] == 0 || e[0] == 0x80))
			return true;    /* a partition of some type, a valid boot flag */
	}
	return false;
}

static bool windows_volid(const char *v)
{
	static const char *const prefix[] = { "CCCOMA_", "CCSA", "CPBA_", "CENA_", "CPRA_",
					      "GRMC", "J_CC", "ESD-ISO", "CES_X", "SSS_X" };

	if (strstr(v, "X64FRE") || strstr(v, "X86FRE") || strstr(v, "A64FRE") ||
	    strstr(v, "X64CHK"))
		return true;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (strncmp(v, prefix[i], strlen(prefix[i])) == 0)
			return true;
	return false;
}

void img_boot_inspect(const uint8_t *h, size_t len, struct img_boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->mbr = has_mbr(h, len);
	bi->gpt = (len >= 520 && memcmp(h + 512, "EFI PART", 8) == 0) ||
		  (len >= 4104 && memcmp(h + 4096, "EFI PART", 8) == 0);
	/* the volume descriptor set: sectors 16 on, up to the terminator,
	 * then the UDF volume recognition sequence */
	for (size_t off = ISO_VD; off + 2048 <= len && off < ISO_VD + 64 * 2048; off += 2048) {
		const uint8_t *d = h + off;

		if (memcmp(d + 1, "CD001", 5) == 0) {
			bi->iso9660 = true;
			if (d[0] == 0 && memcmp(d + 7, "EL TORITO SPECIFICATION", 23) == 0)
				bi->el_torito = true;
			if (d[0] == 1 && !bi->volume_id[0]) {
				int n = 32;

				memcpy(bi->volume_id, d + 40, 32);
				while (n > 0 && (bi->volume_id[n - 1] == ' ' || bi->volume_id[n - 1] == 0))
					n--;
				bi->volume_id[n] = '\0';
				for (int i = 0; i < n; i++)
					if (bi->volume_id[i] < 0x20 || bi->volume_id[i] > 0x7e)
						bi->volume_id[i] = '?';
			}
		} else if (memcmp(d + 1, "NSR02", 5) == 0 || memcmp(d + 1, "NSR03", 5) == 0) {
			bi->udf = true;
		} else if (memcmp(d + 1, "BEA01", 5) && memcmp(d + 1, "TEA01", 5)) {
			break;
		}
	}
	if ((bi->iso9660 || bi->udf) && windows_volid(bi->volume_id) && !bi->mbr && !bi->gpt)
		bi->kind = IMG_BOOT_WINDOWS;
	else if (bi->iso9660 || bi->udf)
		bi->kind = bi->mbr || bi->gpt ? IMG_BOOT_HYBRID : IMG_BOOT_ISO_ONLY;
	else
		bi->kind = bi->mbr || bi->gpt ? IMG_BOOT_DISK : IMG_BOOT_RAW;
}

const char *img_boot_warning(const struct img_boot_info *bi)
{
	switch (bi->kind) {
	case IMG_BOOT_WINDOWS:
		return "this is a Windows installer ISO: written raw, the stick will not boot. "
		       "Windows sticks are made by copying its files to a FAT32/NTFS stick "
		       "(WoeUSB, or Microsoft's Media Creation Tool); or burn it to a DVD";
	case IMG_BOOT_ISO_ONLY:
		return bi->el_torito
		       ? "the ISO has no MBR or GPT (it is not a hybrid image): it boots from a "
			 "disc (El Torito) but written to a stick it will not boot. Burn it to a "
			 "disc instead, or use the distribution's own stick image"
		       : "the ISO has neither an MBR/GPT nor El Torito boot record: the stick "
			 "will hold its files but will not boot";
	default:
		return NULL;
	}
}
