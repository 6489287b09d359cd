#!/bin/sh
# guest_main.sh - the script boot.sh runs in a test guest (run.sh): the
# checks of guest_checks.sh once for each disc in VM_DISCS, in turn, each
# with its own drives and work folder WORK/DISC.  VM_<DISC>_PROFILE,
# _SECTORS, _ECC, _BAD, _FLAKY and the drive numbers _DAMAGED, _CLEAN,
# _SLOW, _EMPTY (vm_drive in guest_lib.sh) become VM_PROFILE ... VM_EMPTY.
read -r up _ < /proc/uptime
echo "# vm $VM_KIND: the guest was up in $up s"
status=0
for disc in $VM_DISCS; do
	D=$(echo "$disc" | tr a-z A-Z)
	for v in PROFILE SECTORS ECC BAD FLAKY DAMAGED CLEAN SLOW EMPTY; do
		eval "VM_$v=\${VM_${D}_$v:-}"
		export "VM_$v"
	done
	export VM_DISC=$disc WORK="$WORK/$disc"
	mkdir -p "$WORK"
	(cd "$WORK" && exec sh "$(dirname "$0")/guest_checks.sh") || status=1
	WORK=${WORK%/*}
done
exit $status
