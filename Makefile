# roadshowd — see README.md.  `make run` and `make check` are the two commands.
PKGS     := libmicrohttpd libical sqlite3 jansson libcrypto libsodium icu-uc \
            icu-i18n zlib libqrencode
O        ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_POSIX_C_SOURCE=200809L
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wwrite-strings
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)
PY       := /usr/bin/python3

ROADSHOWD_DB   ?= data/roadshowd.db
ROADSHOWD_BIND ?= 127.0.0.1
ROADSHOWD_PORT ?= 8080

SRCS     := $(wildcard service/*.c calendar/*.c db/*.c)
OBJS     := $(patsubst %.c,$(O)/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(O)/service/main.o,$(OBJS))
TESTS    := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/check_*.c))
HELPERS  := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/helper_*.c))

all: $(O)/roadshowd

$(O)/roadshowd: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(PKG_LIBS)

# The dashboard page is embedded as bytes (xxd -i style, via od).
$(O)/service/dashboard.inc: service/dashboard.html
	@mkdir -p $(@D)
	od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@
$(O)/service/dashboard_js.inc: service/dashboard.js
	@mkdir -p $(@D)
	od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@
$(O)/service/dashboard_css.inc: service/dashboard.css
	@mkdir -p $(@D)
	od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@
$(O)/service/h_dashboard.o: $(O)/service/dashboard.inc \
    $(O)/service/dashboard_js.inc $(O)/service/dashboard_css.inc
$(O)/service/h_dashboard.o: CPPFLAGS += -I$(O)/service

# Other embedded files (the console): service/X becomes $(O)/assets/X.inc;
# service/assets.c keeps their table with content types.
ASSETS   := $(wildcard service/console/*)
$(O)/assets/%.inc: service/%
	@mkdir -p $(@D)
	od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@
$(O)/service/assets.o: $(patsubst service/%,$(O)/assets/%.inc,$(ASSETS))
$(O)/service/assets.o: CPPFLAGS += -I$(O)/assets

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(O)/tests/%: tests/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I. $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) $^ -o $@ \
	    $(CHECK_LIBS) $(PKG_LIBS)

# Install what is missing (Debian 12, as root), build, serve on the default
# SQLite file, created and seeded from the annex on first start.
run: deps
	$(MAKE) all
	@mkdir -p $(dir $(ROADSHOWD_DB))
	$(O)/roadshowd serve --db $(ROADSHOWD_DB) --bind $(ROADSHOWD_BIND) \
	    --port $(ROADSHOWD_PORT)

# A separate database filled with a sample year posted through the API.
demo: deps
	$(MAKE) all
	$(PY) scripts/demo.py --binary $(O)/roadshowd --db data/demo.db \
	    --bind $(ROADSHOWD_BIND) --port $(ROADSHOWD_PORT)

deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

# Every test: unit tests (plain and under ASan+UBSan), end-to-end tests
# against the real binary, and the core end-to-end tests again against the
# ASan+UBSan binary (a sanitizer report or a leak at exit fails them).
check: deps-test
	$(MAKE) all unit
	$(MAKE) asan
	$(MAKE) e2e
	$(MAKE) e2e-asan

# Check's default 4 s per test is wall-clock time: under ASan on a busy
# machine some suites need longer, so allow 60 s (a hang still fails).
unit: $(TESTS) $(HELPERS)
	@set -e; for t in $(TESTS); do echo "== $$t"; \
	    CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-60} $$t; done

e2e: all
	@if [ -f tests/js/package-lock.json ]; then \
	    cd tests/js && npm ci --no-audit --no-fund --loglevel=error; fi
	$(PY) -m unittest discover -v -s tests/e2e -p 'test_*.py'

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
asan:
	$(MAKE) O=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer $(SAN)" \
	    LDFLAGS="$(SAN)" unit

# Import tests are left out here: their time limits assume an optimised
# parser, and ASan makes it several times slower.
E2E_ASAN := test_api test_cadence_year test_feeds_clients test_seed test_accounts test_admin \
            test_feed_cache
e2e-asan:
	$(MAKE) O=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer $(SAN)" \
	    LDFLAGS="$(SAN)" all
	cd tests/e2e && ROADSHOWD_BIN=$(CURDIR)/build-asan/roadshowd \
	    ROADSHOWD_EXPECT_CLEAN_EXIT=1 ASAN_OPTIONS=detect_leaks=1 \
	    $(PY) -m unittest -v $(E2E_ASAN)

valgrind: $(TESTS)
	@set -e; for t in $(TESTS); do \
	    CK_FORK=no valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --error-exitcode=1 $$t; done

bench: all
	$(PY) tests/bench.py --binary $(O)/roadshowd

clean:
	rm -rf build build-asan

-include $(OBJS:.o=.d)
.SECONDARY: $(OBJS)
.PHONY: all run demo deps deps-test check unit e2e e2e-asan asan valgrind bench clean
