#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# convert.py -- turn the shared CT vectors into the flat files test_sth reads.
#
# usage: convert.py VECTORS_DIR OUT_DIR
# Reads 03_signed_tree_heads.json, 04_leaf_and_sct_vectors.json and
# 07_log_keys.json; generates throwaway RSA/EC/Ed25519 keys with the openssl
# command for the cases the vectors lack (RSA STHs, unsupported keys). The
# private keys are deleted; only public keys and signatures are written.
import base64
import json
import os
import re
import struct
import subprocess
import sys
import tempfile


def slug(s):
    return re.sub(r'[^a-z0-9]+', '-', s.lower()).strip('-')


def openssl(*args, data=None):
    return subprocess.run(['openssl', *args], input=data, check=True,
                          capture_output=True).stdout


def der_b64(pem_path):
    der = openssl('pkey', '-pubin', '-in', pem_path, '-outform', 'DER')
    return base64.b64encode(der).decode()


def main():
    vec, out = sys.argv[1], sys.argv[2]
    keys_json = json.load(open(os.path.join(vec, '07_log_keys.json')))['keys']
    sths_json = json.load(open(os.path.join(vec, '03_signed_tree_heads.json')))
    leaves = json.load(open(os.path.join(vec, '04_leaf_and_sct_vectors.json')))

    keys = {}   # slug -> (type, log_id_hex, der_b64)
    by_der = {}
    for name, k in keys_json.items():
        t = 'RSA' if k['key_type'] == 'RSA' else 'EC'
        keys[slug(name)] = (t, k['log_id_hex'], k['key_der_b64'])
        by_der[k['key_der_b64']] = slug(name)

    sths = []
    for s in sths_json['sths'] + sths_json['derived_negatives']:
        ds = s['digitally_signed']
        assert bytes.fromhex(s['tree_head_signature_hex'])[4:].hex() == \
            ds['signature_hex']
        sths.append((slug(s['id']), by_der[s['log_key_der_b64']],
                     s['tree_size'], s['timestamp'],
                     s['sha256_root_hash_hex'], s['tree_head_signature_hex'],
                     s['signed_data_hex'], int(s['expect_signature_valid']),
                     int(s['expect_sth_valid'])))

    sigs = []
    for lf in leaves['leaves']:
        if 'sct_signed_data_hex' not in lf or not lf.get('expect_sct_valid'):
            continue
        if slug(lf['sct_log']) not in keys:
            continue
        sigs.append((slug(lf['id']), slug(lf['sct_log']),
                     lf['sct_signed_data_hex'], lf['sct_digitally_signed_hex']))

    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        def gen(name, *genargs):
            priv = os.path.join(tmp, name + '.key')
            pub = os.path.join(tmp, name + '.pub')
            openssl('genpkey', *genargs, '-out', priv)
            openssl('pkey', '-in', priv, '-pubout', '-out', pub)
            return priv, pub

        # DERIVED: RSA STHs signed here with throwaway keys (the vectors
        # have RSA keys and SCTs but no RSA STH).
        for bits, size, ts in ((2048, 1000, 1700000000000),
                               (4096, 7, 1700000001000)):
            name = 'generated-rsa%d' % bits
            priv, pub = gen(name, '-algorithm', 'RSA',
                            '-pkeyopt', 'rsa_keygen_bits:%d' % bits)
            der = base64.b64decode(der_b64(pub))
            import hashlib
            keys[name] = ('RSA', hashlib.sha256(der).hexdigest(),
                          base64.b64encode(der).decode())
            root = hashlib.sha256(b'ctdns test root %d' % bits).digest()
            signed = b'\x00\x01' + struct.pack('>QQ', ts, size) + root
            sig = openssl('dgst', '-sha256', '-sign', priv, data=signed)
            assert len(sig) == bits // 8
            dsig = b'\x04\x01' + struct.pack('>H', len(sig)) + sig
            sths.append(('derived-rsa%d-sth-%d' % (bits, size), name, size,
                         ts, root.hex(), dsig.hex(), signed.hex(), 1, 1))

        # Keys of the wrong kind: CTD_ERANGE.
        for name, args in (
                ('ec-p384', ('-algorithm', 'EC',
                             '-pkeyopt', 'ec_paramgen_curve:P-384')),
                ('ec-secp256k1', ('-algorithm', 'EC',
                                  '-pkeyopt', 'ec_paramgen_curve:secp256k1')),
                ('rsa-1024', ('-algorithm', 'RSA',
                              '-pkeyopt', 'rsa_keygen_bits:1024')),
                ('rsa-2047', ('-algorithm', 'RSA',
                              '-pkeyopt', 'rsa_keygen_bits:2047')),
                ('rsa-4104', ('-algorithm', 'RSA',
                              '-pkeyopt', 'rsa_keygen_bits:4104')),
                ('rsa-pss-2048', ('-algorithm', 'RSA-PSS',
                                  '-pkeyopt', 'rsa_keygen_bits:2048')),
                ('ed25519', ('-algorithm', 'ED25519'))):
            priv, pub = gen(name, *args)
            bad.append((name, 'ERANGE', der_b64(pub)))
        # P-256 with explicit curve parameters instead of the named curve.
        priv, pub = gen('p256', '-algorithm', 'EC',
                        '-pkeyopt', 'ec_paramgen_curve:P-256')
        explicit = openssl('ec', '-in', priv, '-pubout', '-param_enc',
                           'explicit', '-outform', 'DER')
        bad.append(('ec-p256-explicit-params', 'ERANGE',
                    base64.b64encode(explicit).decode()))

    ec = base64.b64decode(keys['ct-test-log-ecdsa'][2])
    # Broken DER: CTD_EMALF.
    bad.append(('ec-trailing-byte', 'EMALF',
                base64.b64encode(ec + b'\x00').decode()))
    bad.append(('ec-truncated', 'EMALF', base64.b64encode(ec[:-1]).decode()))
    bad.append(('ec-long-length', 'EMALF',
                base64.b64encode(ec[:1] + b'\x81\x59' + ec[2:]).decode()))
    bad.append(('ec-point-off-curve', 'EMALF',
                base64.b64encode(ec[:-1] + bytes([ec[-1] ^ 1])).decode()))
    bad.append(('not-a-key', 'EMALF', base64.b64encode(b'\x30\x00').decode()))

    with open(os.path.join(out, 'keys.txt'), 'w') as f:
        f.write('# name type log_id_hex der_b64\n')
        for name, (t, lid, der) in keys.items():
            f.write('%s %s %s %s\n' % (name, t, lid, der))
    with open(os.path.join(out, 'sths.txt'), 'w') as f:
        f.write('# id key tree_size timestamp root_hex dsig_hex '
                'signed_data_hex sig_valid sth_valid\n')
        for s in sths:
            f.write('%s %s %d %d %s %s %s %d %d\n' % s)
    with open(os.path.join(out, 'sigs.txt'), 'w') as f:
        f.write('# id key data_hex dsig_hex (all verify)\n')
        for s in sigs:
            f.write('%s %s %s %s\n' % s)
    with open(os.path.join(out, 'bad_keys.txt'), 'w') as f:
        f.write('# name expected_error der_b64\n')
        for b in bad:
            f.write('%s %s %s\n' % b)
    for name in ('ct-test-log-rsa', 'ct-test-log-ecdsa'):
        der = base64.b64decode(keys[name][2])
        b64 = base64.encodebytes(der).decode()
        with open(os.path.join(out, name + '.pem'), 'w') as f:
            f.write('-----BEGIN PUBLIC KEY-----\n' + b64 +
                    '-----END PUBLIC KEY-----\n')
    der = base64.b64decode(keys['ct-test-log-ecdsa'][2])
    with open(os.path.join(out, 'wrong-label.pem'), 'w') as f:
        f.write('-----BEGIN CERTIFICATE-----\n' +
                base64.encodebytes(der).decode() + '-----END CERTIFICATE-----\n')


main()
