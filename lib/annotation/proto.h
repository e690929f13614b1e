// The annotator's gRPC messages (proto/annotator.proto) beside the records of annotation.h.
#ifndef MLAB_LIB_ANNOTATION_PROTO_H_
#define MLAB_LIB_ANNOTATION_PROTO_H_

#include "lib/annotation/annotation.h"
#include "proto/annotator.pb.h"

namespace mlab::annotation {

// Moves the strings: the message is the only copy an answer needs.
void ToProto(ClientAnnotations&& client, mlab::annotator::Annotation* out);
mlab::annotator::Annotation ToProto(const ClientAnnotations& client);

// A message has no null slice: a System without ASNs reads back as Go's nil (written null).
ClientAnnotations FromProto(const mlab::annotator::Annotation& annotation);

}  // namespace mlab::annotation

#endif  // MLAB_LIB_ANNOTATION_PROTO_H_
