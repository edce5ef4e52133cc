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
# network: kprobe forms, and tracepoint forms (-tp) for kernels without
# kprobes (docs/network.md)
dist_examplepolicies_DATA += \
	policies/examples/net-socket-tracking.yaml \
	policies/examples/net-tcp-connect.yaml \
	policies/examples/net-tcp-listen.yaml \
	policies/examples/net-tcp-accept.yaml \
	policies/examples/net-udp-datagrams.yaml \
	policies/examples/net-tcp-connect-tp.yaml \
	policies/examples/net-tcp-listen-tp.yaml \
	policies/examples/net-tcp-accept-tp.yaml
