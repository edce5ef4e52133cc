# Shipped policies: default/ is loaded by tripline-loaderd at start (the
# vendor directory, -V); examples/ are installed for reference only.
vendorpoliciesdir = $(pkgdatadir)/policies
dist_vendorpolicies_DATA = \
	policies/default/bpf-loads.yaml \
	policies/default/etc-writes.yaml \
	policies/default/kernel-modules.yaml \
	policies/default/privilege-changes.yaml
examplepoliciesdir = $(pkgdatadir)/examples
dist_examplepolicies_DATA = \
	policies/examples/bpf-monitor.yaml \
	policies/examples/clock-settime.yaml \
	policies/examples/passwd-write-kill.yaml \
	policies/examples/symlink-passwd-kill.yaml
