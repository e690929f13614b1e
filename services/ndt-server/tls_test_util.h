#ifndef MLAB_SERVICES_NDT_SERVER_TLS_TEST_UTIL_H_
#define MLAB_SERVICES_NDT_SERVER_TLS_TEST_UTIL_H_

// A fresh self-signed certificate for the TLS tests (CN=localhost, P-256, valid for an hour).

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

namespace mlab::ndt7::testing {

struct PemPair {
  std::string cert;
  std::string key;
};

inline PemPair SelfSignedPem() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  auto to_string = [](BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int): OpenSSL's type
    std::string s(data, static_cast<size_t>(n));
    BIO_free(bio);
    return s;
  };
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  PemPair pem{to_string(cert_bio), to_string(key_bio)};
  X509_free(cert);
  EVP_PKEY_free(key);
  return pem;
}

}  // namespace mlab::ndt7::testing

#endif  // MLAB_SERVICES_NDT_SERVER_TLS_TEST_UTIL_H_
