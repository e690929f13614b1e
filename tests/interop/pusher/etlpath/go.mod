module mlab-node/tests/interop/pusher/etlpath

go 1.21
