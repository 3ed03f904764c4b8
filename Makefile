# epibridge build.
#
# Every .c file under src/ except src/cli/ goes into build/libepibridge.a;
# src/cli/*.c link against it into build/epibridge.  Every
# tests/unit/test_*.c is a standalone cmocka program linked against the same
# library.  Nothing needs to be listed here when a module is added.
#
#   make            build the server/CLI
#   make run        install what is missing, build, serve on ./epibridge.db
#   make demo       install, build, load the demo on real data and serve it
#   make check      install, build, run the whole test suite
#   make SAN=1 ...  the same with AddressSanitizer + UBSan (build-san/)
#   make fuzz       build the libFuzzer targets with clang (build-fuzz/)
#   make bench      run the benchmarks of bench/ against their peers

SAN ?= 0
ifeq ($(SAN),1)
B ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT = -O1
else
B ?= build
SANFLAGS =
OPT = -O2
endif

CC ?= cc
PKGS = libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter -Wno-format-truncation -Werror
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(SANFLAGS) -Isrc -I$(B)/gen $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS = $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(shell find src -name '*.c' ! -path 'src/cli/*' | sort)
CLI_SRC := $(sort $(wildcard src/cli/*.c))
GEN_SRC := $(B)/gen/migrations.c $(B)/gen/openapi.c
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o) $(B)/obj/gen/migrations.o $(B)/obj/gen/openapi.o
CLI_OBJ := $(CLI_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))

.PHONY: all deps run demo check unit fuzz bench clean lint web-assets print-pkgs
all: $(B)/epibridge $(UNIT_BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(B)/gen/openapi.c: docs/openapi.json scripts/embed-file.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-file.sh eb_openapi_json docs/openapi.json > $@.tmp && mv $@.tmp $@

$(B)/libepibridge.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/epibridge: $(CLI_OBJ) $(B)/libepibridge.a
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(B)/libepibridge.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libepibridge.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(B)/libepibridge.a $(LDLIBS) -lcmocka

deps:
	@sh scripts/install-deps.sh run

run: deps
	$(MAKE) $(B)/epibridge web-assets
	./$(B)/epibridge serve --db epibridge.db --port 8080

demo: deps
	$(MAKE) $(B)/epibridge web-assets
	./$(B)/epibridge demo --db epibridge-demo.db --port 8080

web-assets:
	@sh scripts/web-assets.sh

# unit + API (SQLite and PostgreSQL) + browser + sanitizer + fuzz smoke
check:
	@sh scripts/install-deps.sh check
	@sh scripts/check.sh

unit: all
	@sh scripts/run-unit.sh $(B)

fuzz:
	@sh scripts/build-fuzz.sh

bench:
	@sh scripts/install-deps.sh bench
	$(MAKE) $(B)/epibridge
	@sh bench/run.sh

lint:
	@sh scripts/lint.sh

# The pkg-config packages, for scripts that link by hand (build-fuzz.sh).
print-pkgs:
	@echo $(PKGS)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
