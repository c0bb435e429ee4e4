#!/usr/bin/perl
# The scanner of json_keys.sh (see there for what counts as a key): prints
# "file:line: text" for each line of the given C++ files that uses one.
# Works on whole files, so a { key, value } pair may span lines.
use strict;
use warnings;

# A lower-case name literal, in the spellings that can make a QString key.
my $key = qr/(?:u"[a-z_]+"(?:_s)?|QStringLiteral\("[a-z_]+"\)|"[a-z_]+"_L1|QLatin1String(?:View)?\("[a-z_]+"\))/;
# Any string literal (a pair's value may be one).
my $string = qr/(?:u8?|L|U)?"(?:\\.|[^"\\\n])*"(?:_s|_L1|_ba)?/;

for my $file (@ARGV) {
    open(my $in, '<', $file) or die "$file: $!";
    local $/;
    my $text = <$in>;
    close $in;

    # Comments become blanks (newlines kept, so line numbers hold); strings
    # are kept as they are.
    $text =~ s{("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|(//[^\n]*|/\*.*?\*/)}
              {defined $1 ? $1 : ($2 =~ s/[^\n]/ /gr)}gse;
    # The same text with every string's contents blanked: brackets inside
    # strings must not count when matching brackets.
    (my $masked = $text) =~ s{("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')}
                             {substr($1, 0, 1) . ('x' x (length($1) - 2)) . substr($1, -1)}ge;

    my %lines;
    while ($text =~ /(?:\.|->)(?:value|insert|contains|remove|take|queryItemValue|hasQueryItem|addQueryItem)\(\s*$key\s*[,)]/g) {
        $lines{line_of($text, $-[0])} = 1;
    }
    while ($text =~ /\[\s*$key\s*\]/g) {
        $lines{line_of($text, $-[0])} = 1;
    }
    while ($text =~ /\{\s*$key\s*,/g) {
        my ($open, $end) = ($-[0], $+[0]);
        my $value = pair_value($masked, $end);
        next unless defined $value; # three or more elements: not a pair
        # Two names in braces as a function's argument are a string list
        # (Config's choices { u"text"_s, u"json"_s }), not a pair with a
        # constant value: those sit in an initializer's braces.
        next if substr($text, $end, length $value) =~ /^\s*$string\s*$/
            && enclosing($masked, $open) eq '(';
        $lines{line_of($text, $open)} = 1;
    }

    my @source = split /\n/, do { open(my $again, '<', $file) or die; local $/; <$again> };
    for my $line (sort { $a <=> $b } keys %lines) {
        my $shown = $source[$line - 1];
        $shown =~ s/^\s+//;
        print "$file:$line: $shown\n";
    }
}

sub line_of {
    my ($text, $offset) = @_;
    return 1 + (substr($text, 0, $offset) =~ tr/\n//);
}

# The text of a braced list's second element, which starts at $start, if it
# is the last one; undef when another element follows.
sub pair_value {
    my ($masked, $start) = @_;
    my $depth = 0;
    for (my $i = $start; $i < length $masked; ++$i) {
        my $c = substr($masked, $i, 1);
        if ($c =~ /[\(\[\{]/) {
            ++$depth;
        } elsif ($c =~ /[\)\]\}]/) {
            return substr($masked, $start, $i - $start) if $depth == 0 && $c eq '}';
            return undef if $depth == 0;
            --$depth;
        } elsif ($c eq ',' && $depth == 0) {
            return undef;
        }
    }
    return undef;
}

# The opening bracket the braced list at $open sits in ('' at file level).
sub enclosing {
    my ($masked, $open) = @_;
    my $depth = 0;
    for (my $i = $open - 1; $i >= 0; --$i) {
        my $c = substr($masked, $i, 1);
        if ($c =~ /[\)\]\}]/) {
            ++$depth;
        } elsif ($c =~ /[\(\[\{]/) {
            return $c if $depth == 0;
            --$depth;
        }
    }
    return '';
}
