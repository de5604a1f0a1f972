// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_pool_unplug: a PCI driver for qemu's pci-testdev (1b36:0005) whose
 * coherent TTM pool outlives the device, as the pool of a DRM driver does
 * that keeps its ttm_device until the last close after a hot-unplug.
 *
 *   insmod ttm_pool_unplug.ko [keep=PAGES]
 *
 * probe:  ttm_pool_init() on the device with use_dma_alloc (what
 *         ttm_device_init() does for radeon/amdgpu with need_swiotlb,
 *         vmwgfx in coherent mode), three tts of NPAGES write-combined
 *         pages with DMA addresses (coherent chunks), two of them freed
 *         into the pool; with keep, one more tt of that many pages.
 * remove: the third tt is freed, as amdgpu's remove path does through
 *         ttm_device_clear_dma_mappings(): its chunks go into the pool.
 *         The pool itself stays, and so does the keep tt (a buffer
 *         userspace still holds).
 * rmmod:  the keep tt is freed, then the pool is finalised (last close).
 *
 * Between remove and rmmod, tests release the pool's chunks through sysfs
 * (drain, alloc_path) after the PCI device is gone: under an IOMMU, a
 * dma_free_attrs() then no longer reaches the IOMMU's DMA ops.
 *
 * The pool is an embedded struct ttm_pool, initialised as ttm_device_init()
 * does; a whole ttm_device would add nothing to what the pool sees.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#define NPAGES 64

static unsigned long keep;
module_param(keep, ulong, 0444);
MODULE_PARM_DESC(keep, "pages of a tt kept until rmmod, past the device's removal");

static struct {
	struct pci_dev *pdev;
	struct ttm_pool pool;
	struct ttm_tt tts[3];
	struct ttm_tt kept;
	bool removed;
} u;

static int tt_alloc(struct ttm_tt *tt, unsigned long n)
{
	struct ttm_operation_ctx ctx = { };
	int r;

	tt->num_pages = n;
	tt->caching = ttm_write_combined;
	tt->page_flags = TTM_TT_FLAG_ZERO_ALLOC;
	tt->pages = kvcalloc(n, sizeof(*tt->pages), GFP_KERNEL);
	tt->dma_address = kvcalloc(n, sizeof(*tt->dma_address), GFP_KERNEL);
	if (!tt->pages || !tt->dma_address) {
		r = -ENOMEM;
		goto err;
	}
	r = ttm_pool_alloc(&u.pool, tt, &ctx);
	if (!r)
		return 0;
err:
	kvfree(tt->pages);
	kvfree(tt->dma_address);
	tt->pages = NULL;
	tt->dma_address = NULL;
	return r;
}

static void tt_free(struct ttm_tt *tt)
{
	if (!tt->pages)
		return;
	ttm_pool_free(&u.pool, tt);
	kvfree(tt->pages);
	kvfree(tt->dma_address);
	tt->pages = NULL;
	tt->dma_address = NULL;
}

static int unplug_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int i, r;

	if (u.pdev)
		return -EBUSY;
	r = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (r)
		return r;
	ttm_pool_init(&u.pool, &pdev->dev, NUMA_NO_NODE, true, false);
	for (i = 0; i < ARRAY_SIZE(u.tts); i++) {
		r = tt_alloc(&u.tts[i], NPAGES);
		if (r)
			goto err;
	}
	if (keep) {
		r = tt_alloc(&u.kept, keep);
		if (r)
			goto err;
	}
	tt_free(&u.tts[1]);
	tt_free(&u.tts[2]);
	/* The pool keeps a pointer to the device; so does drm (parent ref). */
	u.pdev = pci_dev_get(pdev);
	dev_info(&pdev->dev, "ttm_pool_unplug: pool %s, %s path, dma %pad\n",
		 ttm_pool_name(&u.pool),
		 ttm_pool_path_name(ttm_pool_effective_path(&u.pool)),
		 &u.tts[0].dma_address[0]);
	return 0;

err:
	tt_free(&u.kept);
	for (i = 0; i < ARRAY_SIZE(u.tts); i++)
		tt_free(&u.tts[i]);
	ttm_pool_fini(&u.pool);
	return r;
}

static void unplug_remove(struct pci_dev *pdev)
{
	/* ttm_device_clear_dma_mappings(): the driver's pages go to the pool. */
	tt_free(&u.tts[0]);
	u.removed = true;
	dev_info(&pdev->dev, "ttm_pool_unplug: removed, pool kept\n");
}

static const struct pci_device_id unplug_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, 0x0005) },	/* qemu pci-testdev */
	{ }
};
MODULE_DEVICE_TABLE(pci, unplug_ids);

static struct pci_driver unplug_driver = {
	.name = "ttm_pool_unplug",
	.id_table = unplug_ids,
	.probe = unplug_probe,
	.remove = unplug_remove,
};

static int __init unplug_init(void)
{
	return pci_register_driver(&unplug_driver);
}

static void __exit unplug_exit(void)
{
	pci_unregister_driver(&unplug_driver);
	if (!u.pdev)
		return;
	/* The last close: the held buffer, then the driver's ttm_device. */
	tt_free(&u.kept);
	pr_info("ttm_pool_unplug: finalising the pool: %s path, %s\n",
		ttm_pool_path_name(ttm_pool_effective_path(&u.pool)),
		ttm_pool_path_reason(&u.pool));
	ttm_pool_fini(&u.pool);
	pci_dev_put(u.pdev);
	pr_info("ttm_pool_unplug: pool finalised\n");
}

module_init(unplug_init);
module_exit(unplug_exit);
MODULE_DESCRIPTION("A coherent TTM pool that outlives its PCI device (hot-unplug test)");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(TTM_POOL_TEST);
