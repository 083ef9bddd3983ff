package dev.agentic.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A DNS server on a loopback UDP port that answers one name's A records from a list the test
 * changes, as Docker's embedded DNS answers a compose service's name with its replicas' addresses.
 * Enough of RFC 1035 for a stub resolver such as Nginx's: one question per query, no recursion,
 * TTL 1 s; other names get NXDOMAIN, other types of the name an empty answer.
 */
public final class DnsStub implements AutoCloseable {
    private static final int TYPE_A = 1;
    private static final int CLASS_IN = 1;
    private static final int NXDOMAIN = 3;
    private static final byte[] NO_REPLY = new byte[0];

    private final DatagramSocket socket;
    private final String name;
    private volatile List<InetAddress> addresses;

    private DnsStub(DatagramSocket socket, String name, List<InetAddress> addresses) {
        this.socket = socket;
        this.name = name.toLowerCase(Locale.ROOT);
        this.addresses = addresses;
    }

    /** Serves {@code name} with these IPv4 addresses (dotted quads). */
    public static DnsStub start(String name, List<String> ipv4) {
        try {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            DnsStub dns = new DnsStub(socket, name, parse(ipv4));
            Thread.ofPlatform().daemon().name("dns-stub").start(dns::serve);
            return dns;
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From now on the name has these addresses. */
    public void answer(List<String> ipv4) {
        addresses = parse(ipv4);
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket query = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(query);
                byte[] reply = reply(buffer, query.getLength());
                if (reply != NO_REPLY) {
                    socket.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
                }
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** The answer, or {@link #NO_REPLY} for what is not a query this stub understands. */
    private byte[] reply(byte[] query, int length) {
        if (length < 12 || (query[2] & 0x80) != 0) {
            return NO_REPLY; // too short, or a response
        }
        StringBuilder qname = new StringBuilder();
        int at = 12;
        while (at < length && query[at] != 0) {
            int label = query[at] & 0xff;
            if (label > 63 || at + 1 + label >= length) {
                return NO_REPLY;
            }
            qname.append(qname.isEmpty() ? "" : ".")
                    .append(new String(query, at + 1, label, StandardCharsets.US_ASCII));
            at += 1 + label;
        }
        int questionEnd = at + 5; // the zero label, QTYPE, QCLASS
        if (questionEnd > length) {
            return NO_REPLY;
        }
        int qtype = ((query[at + 1] & 0xff) << 8) | (query[at + 2] & 0xff);
        boolean known = qname.toString().toLowerCase(Locale.ROOT).equals(name);
        List<InetAddress> answers = known && qtype == TYPE_A ? addresses : List.of();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]); // the query's id
        out.write(0x80 | (query[2] & 0x01)); // a response, RD copied
        out.write(known ? 0 : NXDOMAIN);
        short16(out, 1);
        short16(out, answers.size());
        short16(out, 0);
        short16(out, 0);
        out.write(query, 12, questionEnd - 12);
        for (InetAddress address : answers) {
            short16(out, 0xC00C); // the name: a pointer to the question's
            short16(out, TYPE_A);
            short16(out, CLASS_IN);
            short16(out, 0);
            short16(out, 1); // TTL 1 s
            short16(out, 4);
            out.writeBytes(address.getAddress());
        }
        return out.toByteArray();
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xff);
        out.write(value & 0xff);
    }

    private static List<InetAddress> parse(List<String> ipv4) {
        return ipv4.stream()
                .map(address -> {
                    if (!address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                        throw new IllegalArgumentException("not an IPv4 address: " + address);
                    }
                    try {
                        return InetAddress.getByName(address); // a literal: no lookup
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    @Override
    public void close() {
        socket.close();
    }
}
