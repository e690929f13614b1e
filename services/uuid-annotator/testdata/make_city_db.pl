#!/usr/bin/perl
# Writes a GeoLite2-City database for the namespace test's documentation addresses
# (192.0.2.0/24, 2001:db8::/32) with Debian's libmaxmind-db-writer-perl.
# Usage: make_city_db.pl OUT.mmdb
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my %types = (
    city => 'map', continent => 'map', country => 'map', location => 'map', postal => 'map',
    subdivisions => ['array', 'map'], names => 'map', en => 'utf8_string',
    geoname_id => 'uint32', code => 'utf8_string', iso_code => 'utf8_string',
    latitude => 'double', longitude => 'double', accuracy_radius => 'uint16',
    metro_code => 'uint16', time_zone => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6,
    record_size => 28,
    database_type => 'GeoLite2-City',
    languages => ['en'],
    description => { en => 'uuid-annotator namespace test' },
    map_key_type_callback => sub { $types{ $_[0] } },
    # Documentation ranges are reserved; keep them.
    remove_reserved_networks => 0,
    alias_ipv6_to_ipv4 => 1,
);

$tree->insert_network('192.0.2.0/24', {
    continent => { code => 'EU', geoname_id => 6255148, names => { en => 'Europe' } },
    country => { iso_code => 'SE', geoname_id => 2661886, names => { en => 'Sweden' } },
    subdivisions => [ { iso_code => 'E', geoname_id => 2685867,
                        names => { en => "\x{d6}sterg\x{f6}tland County" } } ],
    city => { geoname_id => 2694762, names => { en => "Link\x{f6}ping" } },
    postal => { code => '582 22' },
    location => { latitude => 58.4167, longitude => 15.6167, accuracy_radius => 7,
                  time_zone => 'Europe/Stockholm' },
});

$tree->insert_network('2001:db8::/32', {
    continent => { code => 'NA', geoname_id => 6255149, names => { en => 'North America' } },
    country => { iso_code => 'US', geoname_id => 6252001, names => { en => 'United States' } },
    subdivisions => [ { iso_code => 'NY', geoname_id => 5128638, names => { en => 'New York' } },
                      { iso_code => 'K', geoname_id => 1, names => { en => 'Kings & Queens' } } ],
    city => { geoname_id => 5128581, names => { en => 'New York' } },
    location => { latitude => 40.7128, longitude => -74.006, accuracy_radius => 20,
                  metro_code => 501 },
});

open my $fh, '>:raw', $ARGV[0] or die "cannot write $ARGV[0]: $!";
$tree->write_tree($fh);
close $fh or die "cannot close $ARGV[0]: $!";
