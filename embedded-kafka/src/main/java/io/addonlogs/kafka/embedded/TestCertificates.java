package io.addonlogs.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.UUID;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority and a broker certificate it signed (for {@code localhost} and
 * {@code 127.0.0.1}), written as PKCS12 files the way Strimzi hands them out: a keystore for the broker and a
 * truststore holding only the CA for clients, each with a random password. Valid for a day.
 *
 * <p>Needs {@code bcpkix-jdk18on} (an optional dependency of this module): declare it where this is used.
 */
public final class TestCertificates {

    private final Path keystore;
    private final Path truststore;
    private final String password;

    private TestCertificates(Path keystore, Path truststore, String password) {
        this.keystore = keystore;
        this.truststore = truststore;
        this.password = password;
    }

    /** Generates the CA and the broker's key and certificate into {@code dir}. */
    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            String password = UUID.randomUUID().toString();
            KeyPair caKeys = rsa();
            X500Name caName = new X500Name("CN=embedded-kafka test CA " + UUID.randomUUID());
            X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, notBefore(), notAfter(),
                    caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                    caKeys.getPrivate());
            KeyPair brokerKeys = rsa();
            X509Certificate broker = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, notBefore(),
                    notAfter(), new X500Name("CN=localhost"), brokerKeys.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")})),
                    caKeys.getPrivate());

            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("broker", brokerKeys.getPrivate(), password.toCharArray(),
                    new Certificate[] {broker, ca});
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TestCertificates certificates = new TestCertificates(dir.resolve("broker.p12"), dir.resolve("ca.p12"),
                    password);
            store(keys, certificates.keystore, password);
            store(trust, certificates.truststore, password);
            return certificates;
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate test certificates in " + dir, e);
        }
    }

    /** The broker's key and certificate chain (PKCS12, {@link #password()}). */
    public Path keystore() {
        return keystore;
    }

    /** The CA certificate, for clients (PKCS12, {@link #password()}): Strimzi's {@code ca.p12}. */
    public Path truststore() {
        return truststore;
    }

    public String password() {
        return password;
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer)));
    }

    private static Date notBefore() {
        return new Date(System.currentTimeMillis() - 60_000);
    }

    private static Date notAfter() {
        return new Date(System.currentTimeMillis() + 86_400_000);
    }

    private static void store(KeyStore store, Path file, String password) throws IOException,
            GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
    }
}
