#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# convert.py -- write the get-* answer fixtures test_rfc6962 reads.
#
# usage: convert.py VECTORS_DIR OUT_DIR
# Real answers come from 03_signed_tree_heads.json and
# 05_production_log_data.json (recorded bodies where the vectors keep them,
# otherwise rebuilt from the recorded fields, see README). Hostile answers
# are hand-made mutations of the real ones and go to OUT_DIR/cases/;
# cases.txt says which parser must give which result for each file.
import base64
import hashlib
import json
import os
import sys


def b64(h):
    return base64.b64encode(bytes.fromhex(h)).decode()


def write(path, text):
    data = text if isinstance(text, bytes) else text.encode()
    with open(path, 'wb') as f:
        f.write(data)


def main():
    vec, out = sys.argv[1], sys.argv[2]
    sths = json.load(open(os.path.join(vec, '03_signed_tree_heads.json')))
    prod = json.load(open(os.path.join(vec, '05_production_log_data.json')))
    logs = prod['logs']
    by_id = {s['id']: s for s in sths['sths']}
    expected = []

    # get-sth, as recorded.
    for sid, name in (('icarus-129596132', 'icarus'),
                      ('icarus-129721434', 'icarus'),
                      ('argon2027h1-384065451', 'argon2027h1'),
                      ('argon2027h1-384071894', 'argon2027h1'),
                      ('argon2017-7834486', 'argon2017'),
                      ('pilot-344104340', 'pilot')):
        s = by_id[sid]
        fn = 'get-sth-%s.json' % sid
        write(os.path.join(out, fn), s['get_sth_json_as_recorded'] + '\n')
        expected.append('sth %s %d %d %s %s %s' % (
            fn, s['tree_size'], s['timestamp'], s['sha256_root_hash_hex'],
            s['tree_head_signature_hex'], s['log_key_der_b64']))

    # get-sth-consistency: Icarus as recorded, Argon2027h1 rebuilt.
    ic = logs['icarus']['get_sth_consistency']
    fn = 'get-sth-consistency-icarus-%d-%d.json' % (ic['first'], ic['second'])
    assert json.loads(ic['response_json'])['consistency'] == \
        [b64(h) for h in ic['proof_hex']]
    write(os.path.join(out, fn), ic['response_json'] + '\n')
    expected.append('consistency %s %d %s' % (fn, len(ic['proof_hex']),
                                              ''.join(ic['proof_hex'])))
    ac = logs['argon2027h1']['get_sth_consistency']
    fn = 'get-sth-consistency-argon2027h1-%d-%d.json' % (ac['first'],
                                                         ac['second'])
    write(os.path.join(out, fn), json.dumps(
        {'consistency': [b64(h) for h in ac['proof_hex']]},
        separators=(',', ':')) + '\n')
    expected.append('consistency %s %d %s' % (fn, len(ac['proof_hex']),
                                              ''.join(ac['proof_hex'])))

    # get-entry-and-proof (Icarus), rebuilt from the recorded fields.
    ep = logs['icarus']['get_entry_and_proof']
    leaf = base64.b64decode(ep['leaf_input_b64'])
    assert hashlib.sha256(b'\x00' + leaf).hexdigest() == ep['leaf_hash_hex']
    fn = 'get-entry-and-proof-icarus-%d-%d.json' % (ep['leaf_index'],
                                                    ep['tree_size'])
    write(os.path.join(out, fn), json.dumps(
        {'leaf_input': ep['leaf_input_b64'],
         'extra_data': ep['extra_data_b64'],
         'audit_path': [b64(h) for h in ep['audit_path_hex']]},
        separators=(',', ':')) + '\n')
    expected.append('entry %s %s %d %s' % (fn, ep['leaf_hash_hex'],
                                           len(ep['audit_path_hex']),
                                           ''.join(ep['audit_path_hex'])))

    # get-proof-by-hash (Pilot), rebuilt from the recorded fields.
    pi = logs['pilot_inclusion']
    fn = 'get-proof-by-hash-pilot-%d-%d.json' % (pi['leaf_index'],
                                                 pi['tree_size'])
    write(os.path.join(out, fn), json.dumps(
        {'leaf_index': pi['leaf_index'],
         'audit_path': [b64(h) for h in pi['audit_path_hex']]},
        separators=(',', ':')) + '\n')
    expected.append('proof %s %d %d %s' % (fn, pi['leaf_index'],
                                           len(pi['audit_path_hex']),
                                           ''.join(pi['audit_path_hex'])))

    write(os.path.join(out, 'expected.txt'),
          '# kind file fields... (see test_rfc6962.c)\n' +
          '\n'.join(expected) + '\n')
    hostile(out, by_id['icarus-129596132'], ic, ep, pi)


def hostile(out, sth, ic, ep, pi):
    bad = os.path.join(out, 'cases')
    os.makedirs(bad, exist_ok=True)
    cases = []

    def case(kind, name, text, want):
        fn = 'cases/%s-%s.json' % (kind, name)
        write(os.path.join(out, fn), text)
        cases.append('%s %s %s' % (kind, fn, want))

    rec = sth['get_sth_json_as_recorded']
    good = json.loads(rec)

    def sth_with(**kw):
        d = dict(good)
        for k, v in kw.items():
            if v is None:
                del d[k]
            else:
                d[k] = v
        return json.dumps(d)

    def raw_field(field, text):
        # Replace one field's JSON value by raw text (for numbers json.dumps
        # would normalise).
        d = dict(good)
        d[field] = '@@'
        return json.dumps(d).replace('"@@"', text)

    case('sth', 'empty', '', 'EMALF')
    case('sth', 'whitespace', ' \n', 'EMALF')
    case('sth', 'array', '[]', 'EMALF')
    case('sth', 'string', '"tree_size"', 'EMALF')
    case('sth', 'number', '42', 'EMALF')
    case('sth', 'null', 'null', 'EMALF')
    case('sth', 'empty-object', '{}', 'EMALF')
    case('sth', 'truncated', rec[:len(rec) // 2], 'EMALF')
    case('sth', 'trailing-garbage', rec + 'x', 'EMALF')
    case('sth', 'two-objects', rec + rec, 'EMALF')
    case('sth', 'html-error', '<html><body>500</body></html>', 'EMALF')
    for f in ('tree_size', 'timestamp', 'sha256_root_hash',
              'tree_head_signature'):
        case('sth', 'missing-' + f, sth_with(**{f: None}), 'EMALF')
        case('sth', 'null-' + f, raw_field(f, 'null'), 'EMALF')
    case('sth', 'size-string', sth_with(tree_size=str(good['tree_size'])),
         'EMALF')
    case('sth', 'size-negative', raw_field('tree_size', '-1'), 'EMALF')
    case('sth', 'size-float', raw_field('tree_size', '129596132.5'), 'EMALF')
    case('sth', 'size-float-integral', raw_field('tree_size', '129596132.0'),
         'EMALF')
    case('sth', 'size-exponent', raw_field('tree_size', '1e3'), 'EMALF')
    case('sth', 'size-bool', raw_field('tree_size', 'true'), 'EMALF')
    case('sth', 'size-array', raw_field('tree_size', '[1]'), 'EMALF')
    case('sth', 'size-2pow64', raw_field('tree_size', '18446744073709551616'),
         'EMALF')
    case('sth', 'size-huge', raw_field('tree_size', '9' * 400), 'EMALF')
    case('sth', 'size-leading-plus', raw_field('tree_size', '+1'), 'EMALF')
    case('sth', 'size-hex', raw_field('tree_size', '0x10'), 'EMALF')
    case('sth', 'timestamp-negative', raw_field('timestamp', '-1508198131197'),
         'EMALF')
    case('sth', 'timestamp-float', raw_field('timestamp', '1508198131197.5'),
         'EMALF')
    case('sth', 'timestamp-string', sth_with(timestamp='1508198131197'),
         'EMALF')
    root = base64.b64decode(good['sha256_root_hash'])
    case('sth', 'root-31-bytes',
         sth_with(sha256_root_hash=base64.b64encode(root[:31]).decode()),
         'EMALF')
    case('sth', 'root-33-bytes',
         sth_with(sha256_root_hash=base64.b64encode(root + b'\0').decode()),
         'EMALF')
    case('sth', 'root-empty', sth_with(sha256_root_hash=''), 'EMALF')
    case('sth', 'root-hex', sth_with(sha256_root_hash=root.hex()), 'EMALF')
    case('sth', 'root-number', raw_field('sha256_root_hash', '12345'),
         'EMALF')
    case('sth', 'root-unpadded',
         sth_with(sha256_root_hash=good['sha256_root_hash'].rstrip('=')),
         'EMALF')
    r = good['sha256_root_hash']   # 43 chars + '='; last char carries 2 bits
    assert r.endswith('=')
    nc = r[:42] + chr(ord(r[42]) + 1) + '='   # 's' -> 't': unused bit set
    assert base64.b64decode(nc) == root
    case('sth', 'root-noncanonical-bits', sth_with(sha256_root_hash=nc),
         'EMALF')
    case('sth', 'root-urlsafe',
         sth_with(sha256_root_hash=r.replace('/', '_').replace('+', '-')),
         'EMALF' if ('/' in r or '+' in r) else 'OK')
    case('sth', 'root-newline',
         sth_with(sha256_root_hash=r[:20] + '\n' + r[20:]), 'EMALF')
    case('sth', 'root-space', sth_with(sha256_root_hash=' ' + r), 'EMALF')
    case('sth', 'root-nul', raw_field('sha256_root_hash',
                                      '"' + r[:20] + '\\u0000' + r[20:] + '"'),
         'EMALF')
    sig = base64.b64decode(good['tree_head_signature'])
    case('sth', 'sig-empty', sth_with(tree_head_signature=''), 'EMALF')
    case('sth', 'sig-3-bytes',
         sth_with(tree_head_signature=base64.b64encode(sig[:3]).decode()),
         'EMALF')
    case('sth', 'sig-517-bytes', sth_with(
        tree_head_signature=base64.b64encode(b'\x04\x01\x02\x01' +
                                             b'\xaa' * 513).decode()),
         'EMALF')
    case('sth', 'sig-516-bytes', sth_with(
        tree_head_signature=base64.b64encode(b'\x04\x01\x02\x00' +
                                             b'\xaa' * 512).decode()),
         'OK')
    case('sth', 'sig-object', raw_field('tree_head_signature', '{}'), 'EMALF')
    case('sth', 'duplicate-key',
         rec[:-1] + ',"tree_size":1}', 'EMALF')
    case('sth', 'invalid-utf8', rec[:-1].encode() + b',"x":"\xff"}', 'EMALF')
    case('sth', 'deep-nesting',
         rec[:-1] + ',"x":' + '[' * 5000 + ']' * 5000 + '}', 'EMALF')
    case('sth', 'single-quotes', rec.replace('"', "'"), 'EMALF')
    case('sth', 'comment', '/* c */' + rec, 'EMALF')
    # Accepted variations of a good answer.
    case('sth', 'ok-extra-fields', rec[:-1] +
         ',"extension":{"a":[1,2.5,null]},"note":"x"}', 'OK')
    case('sth', 'ok-pretty', json.dumps(good, indent=4) + '\n', 'OK')
    case('sth', 'ok-reordered', json.dumps(dict(reversed(list(good.items())))),
         'OK')
    case('sth', 'ok-escaped-slash', rec.replace('/', '\\/'), 'OK')
    case('sth', 'ok-size-zero', raw_field('tree_size', '0'), 'OK')
    case('sth', 'ok-size-int64-max',
         raw_field('tree_size', '9223372036854775807'), 'OK')

    cons = json.loads(ic['response_json'])['consistency']
    case('consistency', 'empty', '', 'EMALF')
    case('consistency', 'missing', '{"proof":[]}', 'EMALF')
    case('consistency', 'null', '{"consistency":null}', 'EMALF')
    case('consistency', 'string', '{"consistency":"%s"}' % cons[0], 'EMALF')
    case('consistency', 'object', '{"consistency":{"0":"%s"}}' % cons[0],
         'EMALF')
    case('consistency', 'element-number', '{"consistency":["%s",7]}' % cons[0],
         'EMALF')
    case('consistency', 'element-null', '{"consistency":[null]}', 'EMALF')
    case('consistency', 'element-nested', '{"consistency":[["%s"]]}' % cons[0],
         'EMALF')
    case('consistency', 'element-31-bytes', '{"consistency":["%s"]}' %
         base64.b64encode(base64.b64decode(cons[0])[:31]).decode(), 'EMALF')
    case('consistency', 'element-64-bytes', '{"consistency":["%s"]}' %
         base64.b64encode(base64.b64decode(cons[0]) * 2).decode(), 'EMALF')
    case('consistency', 'element-bad-b64', '{"consistency":["%s"]}' %
         ('!' + cons[0][1:]), 'EMALF')
    case('consistency', 'too-many-129',
         json.dumps({'consistency': [cons[i % len(cons)]
                                     for i in range(129)]}), 'EMALF')
    case('consistency', 'ok-128',
         json.dumps({'consistency': [cons[i % len(cons)]
                                     for i in range(128)]}), 'OK')
    case('consistency', 'ok-empty', '{"consistency":[]}', 'OK')
    case('consistency', 'truncated', ic['response_json'][:-2], 'EMALF')

    pf = {'leaf_index': pi['leaf_index'],
          'audit_path': [b64(h) for h in pi['audit_path_hex']]}
    path = pf['audit_path']
    case('proof', 'missing-index', json.dumps({'audit_path': path}), 'EMALF')
    case('proof', 'missing-path', json.dumps({'leaf_index': 5}), 'EMALF')
    case('proof', 'index-negative',
         json.dumps({'leaf_index': -5, 'audit_path': path}), 'EMALF')
    case('proof', 'index-float',
         json.dumps({'leaf_index': 5.0, 'audit_path': path}), 'EMALF')
    case('proof', 'index-string',
         json.dumps({'leaf_index': '5', 'audit_path': path}), 'EMALF')
    case('proof', 'path-string',
         json.dumps({'leaf_index': 5, 'audit_path': path[0]}), 'EMALF')
    case('proof', 'path-65', json.dumps(
        {'leaf_index': 5, 'audit_path': [path[i % len(path)]
                                         for i in range(65)]}), 'EMALF')
    case('proof', 'ok-64', json.dumps(
        {'leaf_index': 5, 'audit_path': [path[i % len(path)]
                                         for i in range(64)]}), 'OK')
    case('proof', 'ok-empty-path',
         json.dumps({'leaf_index': 0, 'audit_path': []}), 'OK')
    case('proof', 'top-level-array', json.dumps([pf]), 'EMALF')

    ent = {'leaf_input': ep['leaf_input_b64'],
           'extra_data': ep['extra_data_b64'],
           'audit_path': [b64(h) for h in ep['audit_path_hex']]}

    def ent_with(**kw):
        d = dict(ent)
        for k, v in kw.items():
            if v is None:
                del d[k]
            else:
                d[k] = v
        return json.dumps(d)

    case('entry', 'missing-leaf', ent_with(leaf_input=None), 'EMALF')
    case('entry', 'missing-extra', ent_with(extra_data=None), 'EMALF')
    case('entry', 'missing-path', ent_with(audit_path=None), 'EMALF')
    case('entry', 'leaf-empty', ent_with(leaf_input=''), 'EMALF')
    case('entry', 'leaf-number', ent_with(leaf_input=7), 'EMALF')
    case('entry', 'leaf-bad-b64', ent_with(leaf_input=ep['leaf_input_b64'][:-1]),
         'EMALF')
    case('entry', 'extra-bad-b64', ent_with(extra_data='AAA'), 'EMALF')
    case('entry', 'extra-array', ent_with(extra_data=[]), 'EMALF')
    case('entry', 'path-element-short',
         ent_with(audit_path=[ent['audit_path'][0][:40]]), 'EMALF')
    case('entry', 'path-65',
         ent_with(audit_path=[ent['audit_path'][0]] * 65), 'EMALF')
    case('entry', 'ok-extra-empty', ent_with(extra_data=''), 'OK')
    case('entry', 'ok-path-empty', ent_with(audit_path=[]), 'OK')

    write(os.path.join(out, 'cases.txt'),
          '# parser file expected (OK or EMALF); parsers get max nodes\n'
          '# 128 (consistency) or 64 (proof, entry)\n' +
          '\n'.join(cases) + '\n')


main()
