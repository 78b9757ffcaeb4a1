package io.kvgate.support;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;

/**
 * A self-signed certificate for 127.0.0.1 and its key, made at test time with the JDK's keytool and
 * written as PEM files into a throw-away directory: no key material is ever committed.
 */
public record ThrowAwayCert(Path certPem, Path keyPem) {
  private static final String PASS = "throwaway";

  /** Makes a new key pair and certificate (valid one day) in {@code dir}. */
  public static ThrowAwayCert create(Path dir) {
    Path store = dir.resolve("tls.p12");
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair",
            "-alias",
            "redis",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "san=ip:127.0.0.1,dns:localhost",
            "-validity",
            "1",
            "-storetype",
            "PKCS12",
            "-keystore",
            store.toString(),
            "-storepass",
            PASS,
            "-keypass",
            PASS);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("keytool failed: " + out);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, PASS.toCharArray());
      }
      Key key = ks.getKey("redis", PASS.toCharArray());
      Certificate cert = ks.getCertificate("redis");
      Path certPem = dir.resolve("tls-cert.pem");
      Path keyPem = dir.resolve("tls-key.pem");
      Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
      Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
      Files.delete(store);
      return new ThrowAwayCert(certPem, keyPem);
    } catch (Exception e) {
      throw new IllegalStateException("could not make a throw-away certificate", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
