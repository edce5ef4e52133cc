# dist/: systemd unit, sysusers.d and tmpfiles.d entries, sample config.
#
# The unit is generated from its .in at build time (not by configure) so
# that @sbindir@ is the fully expanded make variable.  Nothing here writes
# outside $(DESTDIR), creates users or touches an existing /etc file: the
# sample configuration goes to $(pkgdatadir).

systemdsystemunit_DATA = dist/tripline.service
dist_sysusers_DATA = dist/sysusers.d/tripline.conf
dist_tmpfiles_DATA = dist/tmpfiles.d/tripline.conf
dist_pkgdata_DATA += dist/tripline.yaml.sample dist/alerts.yaml.example
# README.md and docs/ are distributed by EXTRA_DIST in Makefile.am
doc_DATA = README.md docs/ARCHITECTURE.md docs/schema.md docs/config.md \
	docs/policy-reference.md docs/policy-engine.md docs/network-enforcement.md \
	docs/alerts.md docs/alerts-routing.md docs/enforcement.md docs/queries.md \
	docs/security.md docs/network.md

dist/tripline.service: $(top_srcdir)/dist/tripline.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dist && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' \
	    $(top_srcdir)/dist/tripline.service.in > $@.tmp && \
	mv $@.tmp $@

EXTRA_DIST += dist/tripline.service.in
CLEANFILES += dist/tripline.service dist/tripline.service.tmp
# running under systemd: readiness, watchdog, logs
doc_DATA += docs/systemd.md

# the Debian packaging (docs/debian.md; tests/integration/deb_package.sh)
doc_DATA += docs/debian.md
EXTRA_DIST += debian
# log shipping: syslog (RFC 5424) and the JSON export for a shipper
doc_DATA += docs/shipping.md
