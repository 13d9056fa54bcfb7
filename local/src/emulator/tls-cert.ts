// A fixed self-signed certificate for 127.0.0.1/localhost, used when the emulator serves HTTPS
// (RBAC mode): kubectl only sends credentials over TLS. It protects nothing and is not a secret:
// clients trust it through insecure-skip-tls-verify in the emulator's kubeconfig, loopback only.
// Generated with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
//   -subj /CN=reroll-emulator -addext subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost

export const EMULATOR_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBuzCCAWCgAwIBAgIUNHPnlHtTxM4wzpd0OVSge5e84CMwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPcmVyb2xsLWVtdWxhdG9yMCAXDTI2MTEyMzA5NTcwN1oYDzIx
MjYxMDMwMDk1NzA3WjAaMRgwFgYDVQQDDA9yZXJvbGwtZW11bGF0b3IwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQW48GOIpHcWCKl9nu/zQtDQBwiU0Bu6oKfx8P1
GpsUztAp54YunHcxx77MwDn6endnNWPHrWfG4Hkj0i/f8/EAo4GBMH8wHQYDVR0O
BBYEFIJZTXWQFZTwiVT5k+MWAGn6tnStMB8GA1UdIwQYMBaAFIJZTXWQFZTwiVT5
k+MWAGn6tnStMA8GA1UdEwEB/wQFMAMBAf8wLAYDVR0RBCUwI4cEfwAAAYcQAAAA
AAAAAAAAAAAAAAAAAYIJbG9jYWxob3N0MAoGCCqGSM49BAMCA0kAMEYCIQCsQr2G
ojQ3HwjHGHKvabztir6dHeRYcFNur5PGbWeiQgIhAMNUJGjWiPD3pFc2HdWIh9sD
PgMOW3Tnb4vwSzVrVrjL
-----END CERTIFICATE-----
`;

export const EMULATOR_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnqWSq7lvjFl7mQsI
6fx/oPgrUYP5CKGcxfC+9bnrCiKhRANCAAQW48GOIpHcWCKl9nu/zQtDQBwiU0Bu
6oKfx8P1GpsUztAp54YunHcxx77MwDn6endnNWPHrWfG4Hkj0i/f8/EA
-----END PRIVATE KEY-----
`;
