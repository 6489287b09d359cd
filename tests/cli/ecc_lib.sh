# ecc_lib.sh - helpers for the error-correction tests (test_ecc*.sh);
# sourced after tests/lib.sh.

# dvd ARGS...: run dvdisaster quietly; exit status in $DRC
dvd() {
	dvdisaster "$@" > dvd.log 2>&1 < /dev/null
	DRC=$?
}

# garbage FILE SECTOR [COUNT]: overwrite sectors with other bytes
garbage() {
	head -c $(( ${3:-1} * 2048 )) /dev/zero | tr '\0' 'G' |
		dd of="$1" bs=2048 seek="$2" conv=notrunc status=none
}
