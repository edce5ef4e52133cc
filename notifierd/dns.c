/*
 * notifierd/dns.c -- canary DNS names and the wire format of one A query.
 *
 * The notifier sends its own query over UDP to the configured resolver
 * (deliver.c) instead of going through getaddrinfo: the resolver address
 * is per receiver, the answer's rcode matters (NXDOMAIN still proves the
 * canary server saw the name), and no resolver thread or file is needed.
 * Names carry a nonce label derived from the idempotency key, so a retry
 * asks the same name and two hits never share one (no cache swallows a
 * repeat).
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "err.h"
#include "notifierd.h"

void
dns_nonce(char *dst, const char *idem_key)
{
	uint8_t	 h[NOTIFY_SHA256_LEN];
	char	 hex[2 * NOTIFY_SHA256_LEN + 1];

	notify_sha256(idem_key, strlen(idem_key), h);
	notify_hex(hex, h, sizeof(h));
	memcpy(dst, hex, DNS_NONCE_LEN);
	dst[DNS_NONCE_LEN] = '\0';
}

void
dns_base32(struct sbuf *sb, const void *data, size_t len)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
	const uint8_t	*p = data;
	uint32_t	 acc = 0;
	int		 bits = 0;
	size_t		 i;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			sbuf_addc(sb, alpha[(acc >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits > 0)
		sbuf_addc(sb, alpha[(acc << (5 - bits)) & 31]);
}

int
dns_name_ok(const char *name)
{
	size_t	 len = strlen(name), lab = 0, i;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_MAX_NAME)
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
			continue;
		}
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_')
			return 0;
		if (++lab > DNS_MAX_LABEL)
			return 0;
	}
	return lab > 0;
}

int
dns_canary_name(char *dst, size_t dstsz, const char *idem_key,
    const char *base, const char *policy, uint32_t pid)
{
	struct sbuf	 raw, b32;
	char		 nonce[DNS_NONCE_LEN + 1];
	size_t		 blen = strlen(base), room, n;
	int		 w;

	if (blen > 0 && base[blen - 1] == '.')
		blen--;
	if (!dns_name_ok(base))
		return ERR_RANGE;
	dns_nonce(nonce, idem_key);
	if (DNS_NONCE_LEN + 1 + blen > DNS_MAX_NAME)
		return ERR_RANGE;

	sbuf_init(&b32);
	if (policy != NULL) {
		sbuf_init(&raw);
		sbuf_addf(&raw, "%s.%u", policy, (unsigned int)pid);
		dns_base32(&b32, raw.buf, raw.len);
		sbuf_clear(&raw);
		/* one label, and the whole name within 253 bytes */
		room = DNS_MAX_NAME - (DNS_NONCE_LEN + 1 + blen);
		n = b32.len;
		if (n > DNS_MAX_LABEL)
			n = DNS_MAX_LABEL;
		if (n + 1 > room)
			n = room > 1 ? room - 1 : 0;
		b32.len = n;
		b32.buf[n] = '\0';
	}
	if (b32.len > 0)
		w = snprintf(dst, dstsz, "%s.%s.%.*s", nonce, b32.buf,
		    (int)blen, base);
	else
		w = snprintf(dst, dstsz, "%s.%.*s", nonce, (int)blen, base);
	sbuf_clear(&b32);
	if (w < 0 || (size_t)w >= dstsz)
		return ERR_RANGE;
	return 0;
}

/* name in wire format at buf (QNAME); returns length or ERR_RANGE. */
static ssize_t
dns_encode_name(uint8_t *buf, size_t sz, const char *name)
{
	const char	*p = name, *dot;
	size_t		 off = 0, n;

	if (!dns_name_ok(name))
		return ERR_RANGE;
	while (*p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0)
			break;		/* final dot */
		if (off + 1 + n + 1 > sz)
			return ERR_RANGE;
		buf[off++] = (uint8_t)n;
		memcpy(buf + off, p, n);
		off += n;
		p += n;
		if (*p == '.')
			p++;
	}
	if (off + 1 > sz)
		return ERR_RANGE;
	buf[off++] = 0;
	return (ssize_t)off;
}

ssize_t
dns_query_build(uint8_t *buf, size_t sz, uint16_t id, const char *name)
{
	ssize_t	 n;

	if (sz < 12 + 4)
		return ERR_RANGE;
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01;			/* RD */
	buf[5] = 1;			/* QDCOUNT */
	if ((n = dns_encode_name(buf + 12, sz - 12 - 4, name)) < 0)
		return n;
	buf[12 + n] = 0;
	buf[12 + n + 1] = 1;		/* QTYPE A */
	buf[12 + n + 2] = 0;
	buf[12 + n + 3] = 1;		/* QCLASS IN */
	return 12 + n + 4;
}

int
dns_reply_parse(const uint8_t *buf, size_t len, uint16_t id,
    const char *name, int *rcode, int *nanswers)
{
	uint8_t	 q[DNS_MAX_NAME + 2];
	ssize_t	 qn;
	size_t	 i;

	if (len < 12 || ((uint16_t)(buf[0] << 8 | buf[1])) != id ||
	    (buf[2] & 0x80) == 0)		/* QR: a response */
		return ERR_PARSE;
	if ((buf[2] & 0x78) != 0)		/* OPCODE QUERY */
		return ERR_PARSE;
	if (buf[4] != 0 || buf[5] != 1)		/* exactly our question */
		return ERR_PARSE;
	if ((qn = dns_encode_name(q, sizeof(q), name)) < 0)
		return ERR_PARSE;
	if (len < 12 + (size_t)qn + 4)
		return ERR_PARSE;
	/* names compare case-insensitively (0x20 randomisation) */
	for (i = 0; i < (size_t)qn; i++)
		if (tolower(buf[12 + i]) != tolower(q[i]))
			return ERR_PARSE;
	if (buf[12 + qn] != 0 || buf[12 + qn + 1] != 1 ||
	    buf[12 + qn + 2] != 0 || buf[12 + qn + 3] != 1)
		return ERR_PARSE;
	*rcode = buf[3] & 0x0f;
	*nanswers = buf[6] << 8 | buf[7];
	return 0;
}

int
dns_parse_addr(const char *s, uint16_t defport, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_in  *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char		 host[INET6_ADDRSTRLEN + 1];
	const char	*port = NULL, *e;
	unsigned long	 p = defport;
	size_t		 n;
	char		*ep;

	memset(ss, 0, sizeof(*ss));
	if (s == NULL || *s == '\0')
		return ERR_PARSE;
	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL)
			return ERR_PARSE;
		n = (size_t)(e - s - 1);
		if (e[1] == ':')
			port = e + 2;
		else if (e[1] != '\0')
			return ERR_PARSE;
		s++;
	} else if ((e = strchr(s, ':')) != NULL && strchr(e + 1, ':') == NULL) {
		n = (size_t)(e - s);
		port = e + 1;
	} else
		n = strlen(s);
	if (n == 0 || n >= sizeof(host))
		return ERR_PARSE;
	memcpy(host, s, n);
	host[n] = '\0';
	if (port != NULL) {
		p = strtoul(port, &ep, 10);
		if (*port == '\0' || *ep != '\0' || p == 0 || p > 65535)
			return ERR_PARSE;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		*sslen = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*sslen = sizeof(*sin6);
		return 0;
	}
	return ERR_PARSE;
}
