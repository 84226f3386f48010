/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * namespace.h -- keep libctdns' internal symbols out of the embedder's way.
 *
 * libctdns.a carries its own copies of the project's pure modules (merkle,
 * sth, logkey, note, cpverify, tile, base32, base64, num, err) and its
 * internal modules (dnsq, uvq, sctx, vstate). Their names are short and
 * common (base64_encode!), so a
 * static library that exported them would collide with an application's
 * own. Every file of the library, and every in-tree program that uses the
 * library's internals (tools/ctdns, the unit tests), is compiled with
 * "-include lib/namespace.h", which renames each of them to ctdns__<name>.
 * The public API (ctdns.h) is named ctdns_* and is not renamed.
 *
 * A new non-static function in lib/ or in one of the modules above needs
 * a line here; `make check` runs tests/unit/test_client_symbols.sh, which fails
 * when libctdns.a exports a global symbol outside ctdns_ / ctdns__.
 */
#ifndef CTDNS_NAMESPACE_H
#define CTDNS_NAMESPACE_H

/* src/err.c */
#define ctd_strerror ctdns__ctd_strerror
/* src/num.c */
#define num_parse_u64 ctdns__num_parse_u64
#define num_parse_u64_str ctdns__num_parse_u64_str
/* src/base64.c */
#define base64_decode ctdns__base64_decode
#define base64_encode ctdns__base64_encode
#define base64_encoded_len ctdns__base64_encoded_len
/* src/base32.c */
#define base32_decode_hash ctdns__base32_decode_hash
#define base32_encode_hash ctdns__base32_encode_hash
/* src/merkle.c */
#define merkle_consistency_len ctdns__merkle_consistency_len
#define merkle_consistency_ranges ctdns__merkle_consistency_ranges
#define merkle_consistency_roots ctdns__merkle_consistency_roots
#define merkle_is_pow2 ctdns__merkle_is_pow2
#define merkle_leaf_hash ctdns__merkle_leaf_hash
#define merkle_node_hash ctdns__merkle_node_hash
#define merkle_path_len ctdns__merkle_path_len
#define merkle_path_ranges ctdns__merkle_path_ranges
#define merkle_path_root ctdns__merkle_path_root
#define merkle_verify_consistency ctdns__merkle_verify_consistency
#define merkle_verify_inclusion ctdns__merkle_verify_inclusion
/* src/sth.c */
#define sth_from_txt ctdns__sth_from_txt
#define sth_signed_data ctdns__sth_signed_data
#define sth_to_txt ctdns__sth_to_txt
#define sth_verify ctdns__sth_verify
/* src/note.c, src/note_ed25519.c, src/note_build.c */
#define note_parse ctdns__note_parse
#define note_sig_decode ctdns__note_sig_decode
#define note_name_valid ctdns__note_name_valid
#define note_parse_checkpoint ctdns__note_parse_checkpoint
#define note_key_id ctdns__note_key_id
#define note_open_rfc6962 ctdns__note_open_rfc6962
#define note_vkey_parse ctdns__note_vkey_parse
#define note_vkey_format ctdns__note_vkey_format
#define note_vkey_from_seed ctdns__note_vkey_from_seed
#define note_skey_parse ctdns__note_skey_parse
#define note_ed25519_verify ctdns__note_ed25519_verify
#define note_verify_ed25519 ctdns__note_verify_ed25519
#define note_sign_ed25519 ctdns__note_sign_ed25519
#define note_cosig_message ctdns__note_cosig_message
#define note_cosig_verify ctdns__note_cosig_verify
#define note_cosig_sign ctdns__note_cosig_sign
#define note_checkpoint_text ctdns__note_checkpoint_text
#define note_rfc6962_line ctdns__note_rfc6962_line
#define note_rfc6962_note ctdns__note_rfc6962_note
#define note_url_origin ctdns__note_url_origin
/* src/cpverify.c */
#define cpverify_policy_add ctdns__cpverify_policy_add
#define cpverify_open ctdns__cpverify_open
#define cpverify_quorum_met ctdns__cpverify_quorum_met
/* src/logkey.c */
#define logkey_dup ctdns__logkey_dup
#define logkey_free ctdns__logkey_free
#define logkey_from_b64 ctdns__logkey_from_b64
#define logkey_from_der ctdns__logkey_from_der
#define logkey_from_pem_file ctdns__logkey_from_pem_file
#define logkey_id ctdns__logkey_id
#define logkey_type ctdns__logkey_type
#define logkey_verify ctdns__logkey_verify
/* src/tile.c (the library uses tile_leaf_index(); the rest comes along) */
#define tile_data_path ctdns__tile_data_path
#define tile_for_ranges ctdns__tile_for_ranges
#define tile_for_subtree ctdns__tile_for_subtree
#define tile_leaf_index ctdns__tile_leaf_index
#define tile_parse_data ctdns__tile_parse_data
#define tile_parse_hashes ctdns__tile_parse_hashes
#define tile_partials ctdns__tile_partials
#define tile_path ctdns__tile_path
#define tile_range_hash ctdns__tile_range_hash
#define tile_subtree_hash ctdns__tile_subtree_hash
#define tile_width ctdns__tile_width
/* lib/audit.c */
#define audit_judge ctdns__audit_judge
#define audit_sth ctdns__audit_sth
/* lib/dnsq.c */
#define dnsq_init ctdns__dnsq_init
#define dnsq_deinit ctdns__dnsq_deinit
#define dnsq_txt ctdns__dnsq_txt
#define dnsq_sth ctdns__dnsq_sth
#define dnsq_leaf_index ctdns__dnsq_leaf_index
#define dnsq_proof ctdns__dnsq_proof
#define dnsq_answer_from_pkt ctdns__dnsq_answer_from_pkt
#define dnsq_server_addr ctdns__dnsq_server_addr
#define dnsq_set_zone ctdns__dnsq_set_zone
#define dnsq_parse_sth ctdns__dnsq_parse_sth
#define dnsq_parse_index ctdns__dnsq_parse_index
#define dnsq_parse_chunk ctdns__dnsq_parse_chunk
/* lib/uvq.c */
#define uvq_start ctdns__uvq_start
/* lib/sctx.c */
#define sctx_add_embedded ctdns__sctx_add_embedded
#define sctx_add_list ctdns__sctx_add_list
#define sctx_leaf ctdns__sctx_leaf
#define sctx_leaf_index ctdns__sctx_leaf_index
#define sctx_validate ctdns__sctx_validate
/* lib/loglist.c */
#define loglist_find ctdns__loglist_find
/* lib/verify.c */
#define client_now ctdns__client_now
/* lib/vstate.c */
#define vstate_init ctdns__vstate_init
#define vstate_next ctdns__vstate_next
#define vstate_feed ctdns__vstate_feed
#define vstate_set_index ctdns__vstate_set_index

#endif /* CTDNS_NAMESPACE_H */
