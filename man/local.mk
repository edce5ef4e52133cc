# File-format and policy-language pages (section 5).  The daemons' pages
# (section 8) live next to their sources: loaderd/, ctl/, collectord/,
# notifierd/.  tests/man_pages.sh lints every page of $(man_MANS).
dist_man_MANS = man/tripline.yaml.5 man/alerts.yaml.5 man/tripline-policy.5
