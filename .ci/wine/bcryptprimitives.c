/* bcryptprimitives.dll for Wine 8 (Debian 12's), which lacks it: Rust's standard library
 * (1.78 and later) takes its random numbers from its ProcessPrng, so no Rust program starts
 * there without it. Built and installed into the test prefix by .ci/windows-smoke.sh only;
 * Windows 10 and 11 have their own. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
