/* SPDX-License-Identifier: Apache-2.0 */
/* The simulator's packet trace: a classic pcap file (LINKTYPE_BLUETOOTH_LE_LL, 251) with one
 * record per transmission, each an advertising PDU (ADV_IND, ADV_NONCONN_IND, ADV_SCAN_IND),
 * SCAN_REQ or SCAN_RSP exactly as it would be on air after the preamble (access address,
 * header, addresses, AdvData, CRC) and stamped with virtual time, so Wireshark decodes the AD
 * types and checks every CRC. The trace writes the true CRC rather than a pseudo-header
 * claiming "CRC valid", so a bad packet cannot hide. */
#include "sim_priv.h"

#include <errno.h>
#include <string.h>

/* Access address of the advertising channels (Core Spec Vol 6 Part B §2.1.2). */
#define ADV_ACCESS_ADDRESS 0x8e89bed6u

/* PDU header octet 0 (Core Spec Vol 6 Part B §2.3): PDU type in bits 0-3, ChSel bit 5 (left
 * 0: only channel selection algorithm #1), TxAdd bit 6 and RxAdd bit 7 (set: random). */
#define HDR_TXADD_RANDOM 0x40u
#define HDR_RXADD_RANDOM 0x80u

/* Length of the AdvA field. */
#define ADV_ADDR_LEN 6

static void put_le16(uint8_t *out, uint32_t v)
{
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *out, uint32_t v)
{
    put_le16(out, v);
    put_le16(out + 2, v >> 16);
}

uint32_t meshrpr_sim_crc24(uint32_t crc_init, const uint8_t *data, size_t len)
{
    /* In the specification's LFSR, position 0 holds the least significant bit of the initial
     * value, the data enter least significant bit first and the CRC is sent from position 23
     * down to position 0. Mirrored (register bit 23 - i holds position i), the register
     * shifts right: the preset is the bit-reversed init, the taps are the bit-reversed
     * polynomial 0x00065b, that is 0xda6000, and the final register read least significant
     * octet first is the CRC in transmission order. */
    uint32_t reg = 0;
    for (unsigned i = 0; i < 24; i++) {
        if (crc_init & (1u << i)) {
            reg |= 1u << (23 - i);
        }
    }
    for (size_t k = 0; k < len; k++) {
        for (unsigned i = 0; i < 8; i++) {
            uint32_t feedback = (reg ^ ((uint32_t)data[k] >> i)) & 1u;
            reg >>= 1;
            if (feedback) {
                reg ^= 0xda6000u;
            }
        }
    }
    return reg;
}

uint8_t meshrpr_sim_pdu_type(uint8_t adv_type)
{
    switch (adv_type) {
    case MESHRPR_ADV_IND:
        return MESHRPR_SIM_PDU_ADV_IND;
    case MESHRPR_ADV_SCAN_IND:
        return MESHRPR_SIM_PDU_ADV_SCAN_IND;
    case MESHRPR_ADV_NONCONN_IND:
        return MESHRPR_SIM_PDU_ADV_NONCONN_IND;
    case MESHRPR_ADV_SCAN_RSP:
        return MESHRPR_SIM_PDU_SCAN_RSP;
    default:
        return UINT8_MAX;
    }
}

/* Addresses go on air least significant octet first; ours are kept as displayed. */
static uint8_t *put_addr(uint8_t *p, const uint8_t addr[6])
{
    for (size_t i = 0; i < ADV_ADDR_LEN; i++) {
        *p++ = addr[ADV_ADDR_LEN - 1 - i];
    }
    return p;
}

/* Write access address, header (header0, length of the payload), the payload (two parts,
 * either may be empty) and the CRC to out, which has room for all of it. */
static size_t put_packet(uint8_t *out, uint8_t header0, const uint8_t *a, size_t a_len,
                         const uint8_t *b, size_t b_len)
{
    uint8_t *p = out;
    put_le32(p, ADV_ACCESS_ADDRESS);
    p += 4;
    uint8_t *pdu = p;
    *p++ = header0;
    *p++ = (uint8_t)(a_len + b_len);
    if (a_len > 0) {
        memcpy(p, a, a_len);
        p += a_len;
    }
    if (b_len > 0) {
        memcpy(p, b, b_len);
        p += b_len;
    }
    uint32_t crc = meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, pdu, (size_t)(p - pdu));
    *p++ = (uint8_t)crc;
    *p++ = (uint8_t)(crc >> 8);
    *p++ = (uint8_t)(crc >> 16);
    return (size_t)(p - out);
}

size_t meshrpr_sim_ll_adv_pdu(uint8_t pdu_type, const uint8_t adv_addr[6], const uint8_t *adv_data,
                              size_t len, uint8_t *out, size_t out_size)
{
    if (pdu_type != MESHRPR_SIM_PDU_ADV_IND && pdu_type != MESHRPR_SIM_PDU_ADV_NONCONN_IND &&
        pdu_type != MESHRPR_SIM_PDU_ADV_SCAN_IND && pdu_type != MESHRPR_SIM_PDU_SCAN_RSP) {
        return 0;
    }
    if (len > MESHRPR_SIM_MAX_ADV_DATA || (adv_data == NULL && len > 0) || adv_addr == NULL ||
        out == NULL || 4 + 2 + ADV_ADDR_LEN + len + 3 > out_size) {
        return 0;
    }
    uint8_t addr[ADV_ADDR_LEN];
    (void)put_addr(addr, adv_addr);
    return put_packet(out, (uint8_t)(pdu_type | HDR_TXADD_RANDOM), addr, sizeof(addr), adv_data,
                      len);
}

size_t meshrpr_sim_ll_packet(const uint8_t adv_addr[6], uint8_t ad_type, const uint8_t *data,
                             size_t len, uint8_t *out, size_t out_size)
{
    if (len > MESHRPR_SIM_MAX_AD_DATA || (data == NULL && len > 0)) {
        return 0;
    }
    uint8_t ad[MESHRPR_SIM_MAX_ADV_DATA];
    ad[0] = (uint8_t)(1 + len); /* AD length counts the type octet */
    ad[1] = ad_type;
    if (len > 0) {
        memcpy(&ad[2], data, len);
    }
    return meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_NONCONN_IND, adv_addr, ad, 2 + len, out,
                                  out_size);
}

size_t meshrpr_sim_ll_scan_req(const uint8_t scan_addr[6], const uint8_t adv_addr[6], uint8_t *out,
                               size_t out_size)
{
    if (scan_addr == NULL || adv_addr == NULL || out == NULL ||
        out_size < MESHRPR_SIM_LL_SCAN_REQ_LEN) {
        return 0;
    }
    /* Payload ScanA then AdvA (Core Spec Vol 6 Part B §2.3.2.1); TxAdd gives ScanA's type,
     * RxAdd AdvA's. */
    uint8_t addrs[2 * ADV_ADDR_LEN];
    (void)put_addr(put_addr(addrs, scan_addr), adv_addr);
    return put_packet(out,
                      (uint8_t)(MESHRPR_SIM_PDU_SCAN_REQ | HDR_TXADD_RANDOM | HDR_RXADD_RANDOM),
                      addrs, sizeof(addrs), NULL, 0);
}

static void pcap_write(struct meshrpr_sim *sim, const uint8_t *data, size_t len)
{
    if (fwrite(data, 1, len, sim->pcap) != len) {
        sim->pcap_error = true;
    }
}

int meshrpr_sim_pcap_open(struct meshrpr_sim *sim, const char *path)
{
    if (sim == NULL || path == NULL) {
        return -EINVAL;
    }
    if (sim->pcap != NULL) {
        return -EBUSY;
    }
    errno = 0;
    sim->pcap = fopen(path, "wb");
    if (sim->pcap == NULL) {
        return errno != 0 ? -errno : -EIO;
    }
    sim->pcap_error = false;

    /* Classic pcap global header, little-endian, microsecond timestamps. */
    uint8_t header[24];
    put_le32(header, 0xa1b2c3d4u); /* magic */
    put_le16(header + 4, 2);       /* version 2.4 */
    put_le16(header + 6, 4);
    put_le32(header + 8, 0);  /* thiszone: timestamps are virtual time, no zone */
    put_le32(header + 12, 0); /* sigfigs */
    put_le32(header + 16, 65535);
    put_le32(header + 20, MESHRPR_SIM_PCAP_LINKTYPE);
    pcap_write(sim, header, sizeof(header));
    return sim->pcap_error ? -EIO : 0;
}

int meshrpr_sim_pcap_close(struct meshrpr_sim *sim)
{
    if (sim == NULL || sim->pcap == NULL) {
        return 0;
    }
    bool failed = sim->pcap_error;
    if (fclose(sim->pcap) != 0) {
        failed = true;
    }
    sim->pcap = NULL;
    sim->pcap_error = false;
    return failed ? -EIO : 0;
}

static void pcap_write_record(struct meshrpr_sim *sim, uint64_t time_us, const uint8_t *packet,
                              size_t len)
{
    uint8_t header[16];
    /* A uint32 of seconds covers 136 years of virtual time. */
    put_le32(header, (uint32_t)(time_us / 1000000u));
    put_le32(header + 4, (uint32_t)(time_us % 1000000u));
    put_le32(header + 8, (uint32_t)len);
    put_le32(header + 12, (uint32_t)len);
    pcap_write(sim, header, sizeof(header));
    pcap_write(sim, packet, len);
}

void meshrpr_sim_pcap_record(struct meshrpr_sim *sim, const struct meshrpr_sim_tx *tx)
{
    if (sim->pcap == NULL) {
        return;
    }
    uint8_t packet[MESHRPR_SIM_LL_PACKET_MAX];
    size_t len =
        meshrpr_sim_ll_adv_pdu(meshrpr_sim_pdu_type(tx->adv_type), sim->nodes[tx->sender].adv_addr,
                               tx->data, tx->len, packet, sizeof(packet));
    pcap_write_record(sim, tx->start_us, packet, len);
}

void meshrpr_sim_pcap_record_scan_req(struct meshrpr_sim *sim, const struct meshrpr_sim_tx *tx,
                                      uint64_t time_us)
{
    if (sim->pcap == NULL) {
        return;
    }
    uint8_t packet[MESHRPR_SIM_LL_SCAN_REQ_LEN];
    size_t len = meshrpr_sim_ll_scan_req(sim->nodes[tx->peer].adv_addr,
                                         sim->nodes[tx->sender].adv_addr, packet, sizeof(packet));
    pcap_write_record(sim, time_us, packet, len);
}
